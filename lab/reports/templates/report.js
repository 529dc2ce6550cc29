// The report's filters, for one report root: every lookup stays inside it, so two reports on one
// notebook page work apart. No network, no library.
function labReport(root) {
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var table = root.querySelector("table.heatmap");
  if (!table) return;
  var heads = table.tHead.rows;
  var columns = Array.prototype.map.call(heads[1].cells, function (th) { return [th.dataset.env, th.dataset.mode]; });
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var search = root.querySelector("input[type=search]");
  var changes = root.querySelector("input[data-filter=changes]");
  var shown = root.querySelector(".shown");
  function checked(kind) {
    var on = {};
    root.querySelectorAll("input[data-filter=" + kind + "]").forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  var wrap = table.parentElement;
  function stickHeaders() {
    // The second header row sticks under the first; a cell scrolled to stays clear of what sticks.
    var first = heads[0].getBoundingClientRect().height;
    table.style.setProperty("--head", first + "px");
    wrap.style.scrollPaddingTop = table.tHead.getBoundingClientRect().height + "px";
    wrap.style.scrollPaddingLeft = heads[0].cells[0].getBoundingClientRect().width + "px";
  }
  function apply() {
    var envs = checked("env"), modes = checked("mode"), verdicts = checked("verdict");
    var query = (search.value || "").trim().toLowerCase();
    var visible = columns.map(function (c) { return envs[c[0]] !== false && modes[c[1]] !== false; });
    Array.prototype.forEach.call(heads[1].cells, function (th, i) { th.hidden = !visible[i]; });
    Array.prototype.forEach.call(heads[0].cells, function (th) {
      if (!th.dataset.env) return;
      var span = columns.filter(function (c, i) { return visible[i] && c[0] === th.dataset.env; }).length;
      th.hidden = span === 0;
      if (span) th.colSpan = span;
    });
    var count = 0, shownClaims = {};
    rows.forEach(function (row) {
      var cells = row.querySelectorAll("td.v"), any = false;
      cells.forEach(function (td, i) {
        td.hidden = !visible[i];
        var wanted = verdicts[td.dataset.v] !== false;
        td.classList.toggle("dim", !wanted);
        if (visible[i] && wanted && td.dataset.v !== "none") any = true;
      });
      var show = any && (!changes.checked || row.classList.contains("changes")) &&
        (!query || row.textContent.toLowerCase().indexOf(query) >= 0);
      row.hidden = !show;
      if (show) { count += 1; shownClaims[row.dataset.claim] = true; }
    });
    var filtered = count !== rows.length;
    root.querySelectorAll("section.claim").forEach(function (s) { s.hidden = filtered && !shownClaims[s.dataset.claim]; });
    root.querySelectorAll("section.scenario").forEach(function (s) {
      s.hidden = filtered && !s.querySelector("section.claim:not([hidden])");
    });
    shown.textContent = "showing " + count + " of " + rows.length + " claims";
    stickHeaders();
  }
  root.querySelectorAll(".controls input").forEach(function (input) {
    input.addEventListener(input.type === "search" ? "input" : "change", apply);
  });
  window.addEventListener("resize", stickHeaders);
  apply();
}
