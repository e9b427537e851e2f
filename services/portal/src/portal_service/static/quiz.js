// Answer card: mark answered questions and stop a hand-in with unanswered ones.
(function () {
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var counter = document.getElementById("answered-count");
  var warning = document.getElementById("quiz-warning");

  function answered(fieldset) { return fieldset.querySelector("input:checked") !== null; }

  function refresh() {
    var count = 0;
    questions.forEach(function (fieldset) {
      var done = answered(fieldset);
      if (done) count += 1;
      var cell = form.querySelector('[data-cell="' + fieldset.dataset.question + '"]');
      if (cell) cell.classList.toggle("done", done);
    });
    counter.textContent = count;
    return count;
  }

  form.addEventListener("change", refresh);
  form.addEventListener("submit", function (event) {
    var missing = questions.length - refresh();
    if (missing > 0) {
      event.preventDefault();
      warning.hidden = false;
      warning.textContent = "还有 " + missing + " 道题未作答，请作答全部题目后再交卷。";
      return;
    }
    if (!window.confirm("确定交卷吗？交卷后将立即评分。")) event.preventDefault();
  });
  refresh();
})();
