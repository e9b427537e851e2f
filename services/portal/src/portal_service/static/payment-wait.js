// Poll the portal until the payment succeeded and the class has opened, then enter it.
(function () {
  var box = document.getElementById("payment-wait");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var title = document.getElementById("wait-title");
  var message = document.getElementById("wait-message");
  var attempts = 0;

  function poll() {
    attempts += 1;
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.stage === "opened") {
          title.textContent = "班级已开通";
          message.textContent = "正在进入班级……";
          window.location.href = body.url;
          return;
        }
        if (body.stage === "failed") {
          title.textContent = "支付未成功";
          message.textContent = "银行未确认本次支付，请返回订单重新支付。如已扣款，请联系客服。";
          box.querySelector(".spinner").remove();
          return;
        }
        if (body.error) {
          message.textContent = body.error.message;
        } else {
          message.textContent = body.message + "，请稍候……";
        }
        schedule();
      })
      .catch(function () { schedule(); });
  }

  function schedule() {
    if (attempts > 150) {
      message.textContent = "确认时间较长，请稍后在“我的班级”中查看。如已扣款但班级未开通，请联系客服。";
      return;
    }
    setTimeout(poll, attempts < 10 ? 1000 : 3000);
  }

  poll();
})();
