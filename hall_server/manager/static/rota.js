// The break rota of one hall: each window's planned breaks (lunch, a short break), to add,
// change and remove. Every change is one API call; the server checks the times and overlaps
// and says why not. The page follows the hall live, so another manager's change shows here.
(function () {
  "use strict";

  var M = window.Manager;
  var T = M.text;
  var $ = M.$;
  var esc = M.esc;
  var DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

  var state = { user: null, hallId: null, windows: [], rota: { breaks: [] }, live: null };

  function button(action, id, label, kind) {
    return '<button type="button" class="small' + (kind ? " " + kind : "") + '" data-action="' + action +
      '" data-id="' + id + '">' + esc(label) + "</button>";
  }

  // "every day", "Mon–Fri", or the days one by one.
  function days(weekdays) {
    if (weekdays.length === DAYS.length) return T.every_day;
    var positions = weekdays.map(function (day) { return DAYS.indexOf(day); });
    var consecutive = positions.every(function (at, i) { return i === 0 || at === positions[i - 1] + 1; });
    if (consecutive && positions.length > 2) {
      return T.weekdays[weekdays[0]] + "–" + T.weekdays[weekdays[weekdays.length - 1]];
    }
    return weekdays.map(function (day) { return T.weekdays[day] || day; }).join(" ");
  }

  function breakHtml(entry) {
    return '<li class="rota-break" data-break="' + entry.id + '">' +
      '<span class="rota-time">' + esc(entry.start) + "–" + esc(entry.end) + "</span> " +
      (entry.label ? '<span class="rota-label">' + esc(entry.label) + "</span> " : "") +
      '<span class="muted">' + esc(days(entry.weekdays)) + "</span> " +
      button("edit-break", entry.id, T.edit_break) + button("remove-break", entry.id, T.remove_break, "danger") +
      "</li>";
  }

  function render() {
    $("rota-zone").textContent = M.fill(T.rota_zone, { zone: state.rota.time_zone || "" });
    $("rota-body").innerHTML = state.windows.map(function (w) {
      var breaks = state.rota.breaks.filter(function (b) { return b.window_id === w.id; });
      return '<tr data-window="' + w.id + '"><td>' + w.number + " " + esc(M.named(w)) + "</td>" +
        "<td>" + (breaks.length ? '<ul class="rota-breaks">' + breaks.map(breakHtml).join("") + "</ul>"
                                : '<span class="muted">' + esc(T.no_breaks) + "</span>") + "</td>" +
        '<td class="actions">' + button("add-break", w.id, T.add_break) + "</td></tr>";
    }).join("");
  }

  function load() {
    return Promise.all([
      M.api("GET", "/halls/" + state.hallId + "/windows"),
      M.api("GET", "/manager/halls/" + state.hallId + "/break-rota"),
    ]).then(function (answers) {
      if (!answers[0].ok) { M.showRefusal(answers[0].error); return; }
      if (!answers[1].ok) { M.showRefusal(answers[1].error); return; }
      state.windows = answers[0].data;
      state.rota = answers[1].data;
      render();
    });
  }

  function changed(answer) {
    if (answer.ok) {
      state.rota = answer.data;
      render();
      M.showMessage(T.done, "ok");
    }
    return answer;
  }

  function breakFields(entry, withWindow) {
    entry = entry || {};
    var fields = [];
    if (withWindow) {
      fields.push({
        name: "window_id", label: T.rota_fields.window, type: "select", numbers: true, value: entry.window_id,
        options: state.windows.map(function (w) { return { value: w.id, label: w.number + " " + M.named(w) }; }),
      });
    }
    return fields.concat([
      { name: "start", label: T.rota_fields.start, type: "time", value: entry.start || "11:30", required: true },
      { name: "minutes", label: T.rota_fields.minutes, type: "number", value: entry.minutes || 60, required: true },
      { name: "label", label: T.rota_fields.label, value: entry.label, placeholder: T.label_example },
      { name: "weekdays", label: T.rota_fields.weekdays, type: "checkboxes", value: entry.weekdays || DAYS.slice(),
        options: DAYS.map(function (day) { return { value: day, label: T.weekdays[day] }; }) },
    ]);
  }

  function asRequest(values, withWindow) {
    var body = { start: values.start || "", minutes: values.minutes, weekdays: values.weekdays, label: values.label };
    if (withWindow) body.window_id = values.window_id;
    return body;
  }

  function byId(id) { return state.rota.breaks.filter(function (b) { return b.id === id; })[0]; }

  function addBreak(windowId) {
    M.askForm(T.add_break, breakFields({ window_id: windowId }, true), function (values) {
      return M.api("POST", "/manager/halls/" + state.hallId + "/break-rota/breaks", asRequest(values, true)).then(changed);
    });
  }

  // A window's breaks are replaced as a whole, the changed one among them.
  function editBreak(id) {
    var entry = byId(id);
    M.askForm(T.edit_break, breakFields(entry, false), function (values) {
      var breaks = state.rota.breaks.filter(function (b) { return b.window_id === entry.window_id; }).map(function (b) {
        return b.id === id ? asRequest(values, false) : { start: b.start, minutes: b.minutes, weekdays: b.weekdays, label: b.label };
      });
      var path = "/manager/halls/" + state.hallId + "/break-rota/windows/" + entry.window_id;
      return M.api("PUT", path, { breaks: breaks }).then(changed);
    });
  }

  function removeBreak(id) {
    M.act("DELETE", "/manager/halls/" + state.hallId + "/break-rota/breaks/" + id).then(changed);
  }

  function wire() {
    $("add-break").addEventListener("click", function () { addBreak(state.windows.length ? state.windows[0].id : null); });
    $("rota-body").addEventListener("click", function (event) {
      var action = event.target.closest("button[data-action]");
      if (!action) return;
      var id = Number(action.dataset.id);
      if (action.dataset.action === "add-break") addBreak(id);
      else if (action.dataset.action === "edit-break") editBreak(id);
      else if (action.dataset.action === "remove-break") removeBreak(id);
    });
    $("rota-hall").addEventListener("change", function () {
      window.location.search = "?hall=" + Number($("rota-hall").value);
    });
  }

  function liveState(online) {
    var badge = $("live-state");
    badge.hidden = false;
    badge.dataset.online = online ? "true" : "false";
    badge.textContent = online ? T.live_online : T.live_offline;
  }

  // Reads the rota again when it or the windows change (not on every ticket, as the dashboard).
  function follow() {
    var timer = null;
    function soon() {
      if (timer === null) timer = setTimeout(function () { timer = null; load(); }, 300);
    }
    var live = new window.HallLive({ token: M.state.token, hallId: state.hallId });
    live.on("snapshot", soon);
    live.on("rota.changed", soon);
    live.on("window.changed", soon);
    live.on("online", function () { liveState(true); });
    live.on("offline", function () { liveState(false); });
    live.start();
    state.live = live;
  }

  M.start(function (user) {
    state.user = user;
    state.hallId = M.hallParam(user);
    wire();
    M.fillHallSelect($("rota-hall"), user, state.hallId).then(function () {
      load();
      follow();
    });
  });
})();
