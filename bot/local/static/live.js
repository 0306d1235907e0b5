// Optional: reload the page when the bot delivers a message, unless the
// visitor is typing (then show a notice instead, so nothing is lost).
(function () {
  var me = document.currentScript;
  var version = me.dataset.version, url = me.dataset.wait;
  var typing = false;
  document.addEventListener("input", function () { typing = true; });
  function poll() {
    fetch(url + "?v=" + encodeURIComponent(version), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) {
        if (String(d.v) !== String(version)) {
          version = d.v;
          if (!typing) { location.reload(); return; }
          document.getElementById("news").hidden = false;
        }
        poll();
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
