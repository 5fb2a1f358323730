// Reports: choose a hall, a period and the rows; see the table, export it as CSV or XLSX, or
// open the printable page. The server does all the counting. Under the report, the rated cases
// of the same period: the poor ratings (差评) to follow up, or every rating.
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

  // ----- the rated cases of the report's period -----

  var RATED = T.rated_cases;
  var RATED_COLUMNS = ["rated_at", "hall", "ticket_number", "service", "window", "clerk", "level",
    "reasons", "comment", "channel"];
  var POOR_BELOW = 3; // a score below this is a poor rating (差评), as the server counts them
  var rated = { hallId: null, params: null, shown: 0, next: null, asked: 0 };

  function ratedColumns() {
    var severalHalls = rated.params.get("include_halls_below") === "true";
    return RATED_COLUMNS.filter(function (key) { return key !== "hall" || severalHalls; });
  }

  function ratedCell(key, row) {
    if (key === "rated_at") return row.rated_at.slice(0, 16).replace("T", " "); // the hall's clock
    if (key === "hall" || key === "service") return M.named(row[key]);
    if (key === "window") return row.window ? row.window.number + " " + row.window.name : "—";
    if (key === "clerk") return row.clerk ? row.clerk.name + " (" + row.clerk.staff_number + ")" : "—";
    if (key === "level" || key === "channel") return row[key].label;
    if (key === "reasons") {
      return row.reasons.map(function (r) { return r.label; }).join(M.locale === "en" ? ", " : "、") || "—";
    }
    return row[key] === null || row[key] === undefined ? "—" : row[key];
  }

  function ratedRows(rows) {
    var columns = ratedColumns();
    return rows.map(function (row) {
      return '<tr data-rating="' + row.id + '" data-level="' + esc(row.level.code) + '"' +
        (row.level.score < POOR_BELOW ? ' data-bad="true"' : "") + ">" +
        columns.map(function (key) { return '<td data-column="' + key + '">' + esc(ratedCell(key, row)) + "</td>"; }).join("") +
        "</tr>";
    }).join("");
  }

  function showRated(listed, more) {
    var all = $("rated-all").checked;
    $("rated-title").textContent = all ? RATED.all_title : RATED.poor_title;
    if (!more) {
      rated.shown = 0;
      $("rated-head").innerHTML = "<tr>" + ratedColumns().map(function (key) {
        return "<th>" + esc(RATED.columns[key]) + "</th>";
      }).join("") + "</tr>";
      $("rated-body").innerHTML = "";
    }
    $("rated-body").insertAdjacentHTML("beforeend", ratedRows(listed.ratings));
    rated.shown += listed.ratings.length;
    rated.next = listed.next_before;
    var empty = listed.total === 0;
    $("rated-table").hidden = empty;
    $("rated-empty").hidden = !empty;
    $("rated-empty").textContent = all ? RATED.no_ratings : RATED.no_poor;
    $("rated-count").textContent = empty ? "" : M.fill(RATED.count, { shown: rated.shown, total: listed.total });
    $("rated-more").hidden = rated.next === null;
    $("rated-cases").dataset.loaded = (all ? "all" : "poor") + ":" + listed.start;
  }

  function loadRated(more) {
    var params = new URLSearchParams(rated.params);
    if ($("rated-all").checked) params.set("levels", "all");
    if (more) params.set("before", rated.next);
    var asked = ++rated.asked;
    $("rated-cases").dataset.loaded = "";
    M.api("GET", "/reports/halls/" + rated.hallId + "/ratings?" + params.toString()).then(function (answer) {
      if (asked !== rated.asked) return; // a newer question is on its way
      if (!answer.ok) { M.showRefusal(answer.error); return; }
      showRated(answer.data, more);
    });
  }

  // The ratings follow the report shown: its hall, its period and, by hall, the halls below.
  function followReport() {
    var params = new URLSearchParams({ period: $("report-period").value, lang: M.locale });
    if ($("report-date").value) params.set("date", $("report-date").value);
    if ($("report-by").value === "hall") params.set("include_halls_below", "true");
    rated.hallId = hallId();
    rated.params = params;
    loadRated(false);
  }

  function run() {
    M.api("GET", "/reports/halls/" + hallId() + "?" + query().toString()).then(function (answer) {
      if (!answer.ok) { M.showRefusal(answer.error); return; }
      render(answer.data);
    });
    followReport();
    var print = query();
    print.set("hall_id", hallId());
    print.set("lang", M.locale);
    $("print-link").href = "/manager/reports/print?" + print.toString();
  }

  function exportAs(format) {
    var params = query();
    params.set("format", format);
    params.set("lang", M.locale);
    if (format === "xlsx" && $("rated-all").checked) params.set("levels", "all"); // its 评价明细 sheet
    M.download("/reports/halls/" + hallId() + "/export?" + params.toString(), "report." + format);
  }

  M.start(function (user) {
    M.fillHallSelect($("report-hall"), user, M.hallParam(user)).then(run);
    $("report-form").addEventListener("submit", function (event) { event.preventDefault(); run(); });
    $("export-csv").addEventListener("click", function () { exportAs("csv"); });
    $("export-xlsx").addEventListener("click", function () { exportAs("xlsx"); });
    $("rated-all").addEventListener("change", function () { if (rated.params) loadRated(false); });
    $("rated-more").addEventListener("click", function () { loadRated(true); });
  });
})();
