// Course player: resume, no skipping ahead, speed cap, and a heartbeat every 10 s
// while playing (plus on pause and at the end). The learning service decides what
// counts; this script only keeps honest learners from losing progress by accident.
(function () {
  var video = document.getElementById("player");
  if (!video) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var statusLine = document.getElementById("player-status");
  var chapterProgress = document.getElementById("chapter-progress");
  var courseProgress = document.getElementById("course-progress");
  var testLink = document.getElementById("test-link");
  var MAX_RATE = 1.25;
  var HEARTBEAT_MS = 10000;

  var sessionId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() :
    "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, function () {
      return Math.floor(Math.random() * 16).toString(16);
    });
  var completed = video.dataset.chapterCompleted === "true";
  var startAt = parseFloat(video.dataset.startAt || "0");
  // Furthest point the learner may seek to: what was already watched on earlier visits
  // or in this one.
  var furthest = Math.max(startAt, parseFloat(video.dataset.watchedSeconds || "0"));
  var stopped = false;
  var resuming = false;
  var timer = null;

  function show(text) { statusLine.textContent = text; }

  function send(reason) {
    if (stopped) return Promise.resolve();
    var body = {
      class_id: video.dataset.classId,
      course_id: video.dataset.courseId,
      chapter_id: video.dataset.chapterId,
      position_seconds: Math.round(video.currentTime * 10) / 10,
      session_id: sessionId
    };
    return fetch("/learner/api/heartbeats", {
      method: "POST",
      credentials: "same-origin",
      keepalive: reason === "leave",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        var message = (result.data.error && result.data.error.message) || "学习进度保存失败，请刷新页面。";
        if (result.status === 409 || result.status === 403 || result.status === 401) {
          stopped = true;
          video.pause();
        }
        show(message);
        return;
      }
      var data = result.data;
      chapterProgress.textContent = data.chapter_progress_percent;
      courseProgress.textContent = data.course_progress_percent;
      show("本章进度 " + data.chapter_progress_percent + "%，进度已保存。");
      if (data.chapter_completed) completed = true;
      if (data.course_completed && testLink) {
        testLink.classList.remove("disabled");
        testLink.removeAttribute("aria-disabled");
        show("课程已学完，可以参加课后测验。");
      }
    }).catch(function () {
      show("网络异常，学习进度暂未保存，恢复后将继续保存。");
    });
  }

  video.addEventListener("loadedmetadata", function () {
    if (startAt > 0 && startAt < video.duration - 1) {
      resuming = true;
      video.currentTime = startAt;
    }
  });
  video.addEventListener("timeupdate", function () {
    if (!video.seeking && video.currentTime > furthest && video.currentTime - furthest < 2) {
      furthest = video.currentTime;
    }
  });
  video.addEventListener("seeking", function () {
    if (!completed && video.currentTime > furthest + 1) {
      video.currentTime = furthest;
      show("不能跳过未观看的内容，已回到上次观看的位置。");
    }
  });
  // When play starts before the metadata loads, the first heartbeat reports 0 and the
  // resume jump follows. A heartbeat right after that jump makes the resume position the
  // new base in learning. Without it, the jump looks like a skip at the next heartbeat,
  // so those 10 s would not count.
  // NOTE: other seeks send nothing, so the seconds played since the last heartbeat before
  // a seek count only when the learner plays them again.
  video.addEventListener("seeked", function () {
    if (!resuming) return;
    resuming = false;
    if (!video.paused && !video.ended) send("resume");
  });
  video.addEventListener("ratechange", function () {
    if (video.playbackRate > MAX_RATE) {
      video.playbackRate = 1;
      show("播放速度最高为 " + MAX_RATE + " 倍。");
    }
  });
  video.addEventListener("play", function () {
    if (stopped) { video.pause(); return; }
    send("play");
    clearInterval(timer);
    timer = setInterval(function () { send("tick"); }, HEARTBEAT_MS);
  });
  video.addEventListener("pause", function () { clearInterval(timer); send("pause"); });
  video.addEventListener("ended", function () {
    clearInterval(timer);
    send("ended").then(function () {
      var next = video.dataset.nextUrl;
      if (next && !stopped) {
        show("本章已播放完毕，即将进入下一章。");
        setTimeout(function () { window.location.href = next; }, 1500);
      }
    });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !video.paused) send("leave");
  });
})();
