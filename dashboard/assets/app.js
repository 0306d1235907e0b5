// Optional enhancement: sort tables in place without a page load. The
// header links still work without JavaScript (server-side sort), and the
// URL and download links are kept in step so a bookmark or a CSV shows
// the same order.
(function () {
  "use strict";
  function compare(a, b, numeric) {
    if (a === "" && b === "") return 0;
    if (a === "") return 1; // empty values last, either direction
    if (b === "") return -1;
    if (numeric) return parseFloat(a) - parseFloat(b);
    return a.toLowerCase().localeCompare(b.toLowerCase());
  }
  function setOrder(href, key, desc) {
    var u = new URL(href, location.href);
    u.searchParams.set("sort", key);
    if (desc) u.searchParams.set("dir", "desc"); else u.searchParams.delete("dir");
    return u;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var block = table.closest(".block");
    // Ties keep the server's order, as its stable sort does.
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r, i) { r.dataset.i = i; });
    table.querySelectorAll("thead th a").forEach(function (link) {
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var th = link.closest("th");
        var key = th.dataset.key;
        var desc = new URL(link.href).searchParams.get("dir") === "desc";
        var col = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.classList.contains("num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = r1.cells[col].dataset.value, b = r2.cells[col].dataset.value;
          var c = compare(a, b, numeric);
          if (a !== "" && b !== "" && desc) c = -c;
          return c || r1.dataset.i - r2.dataset.i;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.querySelectorAll("thead th").forEach(function (h) {
          h.removeAttribute("aria-sort");
          var a = h.querySelector("a");
          if (!a) return;
          var first = h.classList.contains("num"); // numbers: highest first
          a.href = setOrder(a.href, h.dataset.key, h === th ? !desc : first).toString();
        });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        history.replaceState(null, "", setOrder(location.href, key, desc));
        block.querySelectorAll(".downloads a").forEach(function (a) {
          a.href = setOrder(a.href, key, desc).toString();
        });
        document.querySelectorAll("form.filters").forEach(function (f) {
          ["sort", "dir"].forEach(function (n) { var i = f.querySelector("input[name=" + n + "]"); if (i) i.remove(); });
          var s = document.createElement("input"); s.type = "hidden"; s.name = "sort"; s.value = key; f.appendChild(s);
          if (desc) { var d = document.createElement("input"); d.type = "hidden"; d.name = "dir"; d.value = "desc"; f.appendChild(d); }
        });
      });
    });
  });
})();

// Tap for details: a phone has no hover to show a point's or a cell's
// title, so a tap (or keyboard focus) writes it under the chart or table.
(function () {
  "use strict";
  function show(ev) {
    var el = ev.target.closest && ev.target.closest("[data-detail]");
    if (!el) return;
    var block = el.closest(".block");
    var out = block && block.querySelector(".tap-detail");
    if (!out) return;
    block.querySelectorAll(".tapped").forEach(function (t) { t.classList.remove("tapped"); });
    el.classList.add("tapped");
    out.textContent = el.getAttribute("data-detail");
  }
  document.addEventListener("click", show);
  document.addEventListener("focusin", show);
})();
