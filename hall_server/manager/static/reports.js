// Reports: choose a hall, a period and the rows; see the table, export it as CSV or XLSX, or
// open the printable page. The server does all the counting.
(function () {
  "use strict";

  var M = window.Manager;
  var T = M.text;
  var $ = M.$;
  var esc = M.esc;
  var FIGURES = [
    ["issued", "count"], ["called", "count"], ["served", "count"], ["no_shows", "count"],
    ["cancelled", "count"], ["transfers", "count"], ["wait_mean_seconds", "minutes"],
    ["wait_p90_seconds", "minutes"], ["wait_max_seconds", "minutes"], ["handling_mean_seconds", "minutes"],
    ["handling_p90_seconds", "minutes"], ["handling_max_seconds", "minutes"], ["service_level", "share"],
    ["ratings", "count"], ["rating_average", "score"], ["rating_good_share", "share"],
  ];

  function query() {
    var params = new URLSearchParams({
      period: $("report-period").value, by: $("report-by").value,
    });
    if ($("report-date").value) params.set("date", $("report-date").value);
    return params;
  }

  function hallId() { return Number($("report-hall").value); }

  function labelCells(by, row) {
    var name = M.locale === "en" && row.label_en ? row.label_en : row.label;
    if (by === "service") {
      var department = M.locale === "en" && row.department_en ? row.department_en : row.department;
      return [department, row.prefix, name];
    }
    if (by === "window") return [row.number, name];
    if (by === "clerk") return [row.staff_number, name];
    return [name];
  }

  function value(kind, raw) {
    if (raw === null || raw === undefined) return "—";
    if (kind === "minutes") return (raw / 60).toFixed(1);
    if (kind === "share") return M.percent(raw);
    if (kind === "score") return Number(raw).toFixed(2);
    return String(raw);
  }

  function render(report) {
    var by = report.by;
    $("report-title").textContent = M.fill(T.report_title, {
      hall: M.named(report.hall), start: report.start, end: report.end, target: report.target_wait_minutes,
    });
    var labels = T.report_labels[by];
    $("report-head").innerHTML = "<tr>" + labels.map(function (l) { return "<th>" + esc(l) + "</th>"; }).join("") +
      FIGURES.map(function (f) { return '<th class="num">' + esc(T.report_columns[f[0]]) + "</th>"; }).join("") + "</tr>";
    function line(row, cells, attributes) {
      return "<tr" + attributes + ">" + cells.map(function (c) { return "<td>" + esc(c === null || c === undefined ? "—" : c) + "</td>"; }).join("") +
        FIGURES.map(function (f) { return '<td class="' + f[1] + '" data-figure="' + f[0] + '">' + esc(value(f[1], row[f[0]])) + "</td>"; }).join("") + "</tr>";
    }
    $("report-body").innerHTML = report.rows.map(function (row) {
      return line(row, labelCells(by, row), ' data-key="' + esc(row.key) + '" class="depth-' + (row.depth || 0) + '"');
    }).join("");
    var totalCells = labels.map(function (l, i) { return i === labels.length - 1 ? T.total : ""; });
    $("report-foot").innerHTML = line(report.total, totalCells, ' data-key="total"');
    document.body.dataset.report = by + ":" + report.start;
  }

  function run() {
    M.api("GET", "/reports/halls/" + hallId() + "?" + query().toString()).then(function (answer) {
      if (!answer.ok) { M.showRefusal(answer.error); return; }
      render(answer.data);
    });
    var print = query();
    print.set("hall_id", hallId());
    print.set("lang", M.locale);
    $("print-link").href = "/manager/reports/print?" + print.toString();
  }

  function exportAs(format) {
    var params = query();
    params.set("format", format);
    params.set("lang", M.locale);
    M.download("/reports/halls/" + hallId() + "/export?" + params.toString(), "report." + format);
  }

  M.start(function (user) {
    M.fillHallSelect($("report-hall"), user, M.hallParam(user)).then(run);
    $("report-form").addEventListener("submit", function (event) { event.preventDefault(); run(); });
    $("export-csv").addEventListener("click", function () { exportAs("csv"); });
    $("export-xlsx").addEventListener("click", function () { exportAs("xlsx"); });
  });
})();
