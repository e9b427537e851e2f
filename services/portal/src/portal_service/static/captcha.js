// Refresh the captcha image: each load requests a new captcha from identity.
(function () {
  var image = document.getElementById("captcha-image");
  var button = document.getElementById("captcha-refresh");
  if (!image || !button) return;
  function refresh() { image.src = "/captcha?t=" + Date.now(); }
  button.addEventListener("click", refresh);
  image.addEventListener("click", refresh);
})();
