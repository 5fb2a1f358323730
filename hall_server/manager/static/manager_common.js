// What every manager page shares: logging in (a bearer token in this tab's sessionStorage, as
// the counter keeps it), talking to the API, words and numbers in the page's language, times on
// the hall's clock, the message line, a form dialog, and the live connection to a hall.
(function (global) {
  "use strict";

  var T = global.HALLQ.text;
  var LOCALE = global.HALLQ.locale;
  var STORE = global.sessionStorage;
  var MANAGER_ROLES = ["manager", "admin"];

  var state = {
    token: STORE.getItem("hallq_manager_token"),
    user: JSON.parse(STORE.getItem("hallq_manager_user") || "null"),
    timeZone: null, // the hall's, for every time shown: the manager's own hall unless a page says
  };

  function $(id) { return document.getElementById(id); }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined || values[name] === null ? whole : values[name];
    });
  }

  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function named(item) {
    if (!item) return "";
    return LOCALE === "en" && item.name_en ? item.name_en : item.name;
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    return fill(T.minutes, { minutes: (seconds / 60).toFixed(1) });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 60) return fill(T.seconds, { seconds: Math.round(seconds) });
    var whole = Math.floor(seconds / 60);
    if (whole < 60) return fill(T.minutes, { minutes: whole });
    return fill(T.hours_minutes, { hours: Math.floor(whole / 60), minutes: whole % 60 });
  }

  function percent(share) {
    if (share === null || share === undefined) return "—";
    return (share * 100).toFixed(1) + "%";
  }

  function number(value, digits) {
    if (value === null || value === undefined) return "—";
    return digits === undefined ? String(value) : Number(value).toFixed(digits);
  }

  // "10:29" on the hall's clock (the screen's own may run on any zone); `timeZone` for a hall
  // other than the page's.
  function clock(moment, timeZone) {
    if (!moment) return "—";
    return global.HallqHallClock.time(moment, timeZone || state.timeZone) || "—";
  }

  // The page now shows this hall (e.g. a dashboard of a hall below the manager's own).
  function useHallClock(timeZone) {
    if (timeZone) state.timeZone = timeZone;
  }

  // ----- the API -----

  var staff = new window.HallqStaffClient({
    token: function () { return state.token; },
    onUnauthorized: function () { expireLogin(); },
    refusals: T.refusals,
    messageBox: function () { return $("message"); },
  });

  function api(method, path, body, options) { return staff.request(method, path, body, options); }
  function refusalText(error) { return staff.refusalText(error); }
  function showMessage(text, kind) { staff.showMessage(text, kind); }
  function showRefusal(error) { staff.showRefusal(error); }

  function hideMessage() { $("message").hidden = true; }

  // Runs an API call; says what went wrong, or `done` if given; resolves to the answer.
  function act(method, path, body, done) {
    return api(method, path, body).then(function (answer) {
      if (!answer.ok) showRefusal(answer.error);
      else if (done) showMessage(done, "ok");
      return answer;
    });
  }

  // ----- logging in -----

  function remember(token, user) {
    state.token = token;
    state.user = user;
    if (token) {
      STORE.setItem("hallq_manager_token", token);
      STORE.setItem("hallq_manager_user", JSON.stringify(user));
    } else {
      STORE.removeItem("hallq_manager_token");
      STORE.removeItem("hallq_manager_user");
    }
  }

  function showLogin() {
    $("login-view").hidden = false;
    $("page-view").hidden = true;
    $("logout-button").hidden = true;
    $("user-name").textContent = "";
    $("staff-number").focus();
  }

  function expireLogin() {
    remember(null, null);
    showMessage(T.login_expired, "error");
    showLogin();
  }

  function enter(user, onReady) {
    $("login-view").hidden = true;
    $("page-view").hidden = false;
    $("logout-button").hidden = false;
    $("user-name").textContent = fill(T.signed_in_as, { name: user.name, role: T.roles[user.role] || user.role });
    document.body.dataset.role = user.role;
    // The page's times are on the manager's own hall's clock until the page names another.
    api("GET", "/halls").then(function (answer) {
      var own = answer.ok ? answer.data.filter(function (hall) { return hall.id === user.hall_id; })[0] : null;
      if (own) useHallClock(own.time_zone);
      onReady(user);
    });
  }

  function refuseClerk(token) {
    // A clerk's token is of no use here: hand it back at once.
    var saved = state.token;
    state.token = token;
    api("POST", "/auth/logout");
    state.token = saved;
    remember(null, null);
    showMessage(T.managers_only, "error");
    $("message").dataset.code = "forbidden_role";
    showLogin();
  }

  function start(onReady) {
    $("login-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var credentials = { staff_number: $("staff-number").value.trim(), password: $("password").value };
      api("POST", "/auth/login", credentials).then(function (answer) {
        if (!answer.ok) { showRefusal(answer.error); return; }
        $("password").value = "";
        if (MANAGER_ROLES.indexOf(answer.data.user.role) < 0) { refuseClerk(answer.data.token); return; }
        hideMessage();
        remember(answer.data.token, answer.data.user);
        enter(answer.data.user, onReady);
      });
    });
    $("logout-button").addEventListener("click", function () {
      api("POST", "/auth/logout").then(function () {
        remember(null, null);
        global.location.reload();
      });
    });
    if (!state.token) { showLogin(); return; }
    api("GET", "/auth/me").then(function (answer) {
      if (!answer.ok) { if (state.token) { remember(null, null); showLogin(); } return; }
      if (MANAGER_ROLES.indexOf(answer.data.role) < 0) { refuseClerk(state.token); return; }
      remember(state.token, answer.data);
      enter(answer.data, onReady);
    });
  }

  function hallParam(user) {
    var asked = Number(new URLSearchParams(global.location.search).get("hall"));
    return asked > 0 ? asked : user.hall_id;
  }

  // ----- the hall tree (from GET /halls) -----

  function subtree(halls, rootId) {
    var children = {};
    halls.forEach(function (hall) { (children[hall.parent_id] = children[hall.parent_id] || []).push(hall); });
    var root = halls.filter(function (hall) { return hall.id === rootId; })[0];
    var ordered = [];
    (function walk(hall, depth) {
      if (!hall) return;
      ordered.push({ hall: hall, depth: depth });
      (children[hall.id] || []).forEach(function (child) { walk(child, depth + 1); });
    })(root, 0);
    return ordered;
  }

  function fillHallSelect(select, user, chosen) {
    return api("GET", "/halls").then(function (answer) {
      if (!answer.ok) { showRefusal(answer.error); return []; }
      var tree = subtree(answer.data, user.hall_id);
      select.innerHTML = tree.map(function (entry) {
        return '<option value="' + entry.hall.id + '"' + (entry.hall.id === chosen ? " selected" : "") + ">" +
          "\u00a0\u00a0".repeat(entry.depth) + esc(named(entry.hall)) + "</option>";
      }).join("");
      return tree;
    });
  }

  // ----- live -----

  function liveState(online) {
    var badge = $("live-state");
    badge.hidden = false;
    badge.dataset.online = online ? "true" : "false";
    badge.textContent = online ? T.live_online : T.live_offline;
  }

  // Calls `changed` (at most every `quietMs`) whenever the hall changes or the page reconnects.
  function follow(hallId, changed, quietMs) {
    var timer = null;
    function soon() {
      if (timer !== null) return;
      timer = setTimeout(function () { timer = null; changed(); }, quietMs === undefined ? 250 : quietMs);
    }
    var live = new global.HallLive({ token: state.token, hallId: hallId });
    live.offerReloadWhenUpdated({ message: T.pages_updated, button: T.reload_now });
    live.on("snapshot", soon);
    live.on("event", soon);
    live.on("online", function () { liveState(true); });
    live.on("offline", function () { liveState(false); });
    live.start();
    return live;
  }

  // ----- a small form dialog -----

  function fieldHtml(field) {
    var id = "field-" + field.name;
    var value = field.value === null || field.value === undefined ? "" : field.value;
    if (field.type === "checkbox") {
      return '<label class="check"><input type="checkbox" id="' + id + '"' + (value ? " checked" : "") + "> " + esc(field.label) + "</label>";
    }
    if (field.type === "checkboxes") {
      return "<fieldset><legend>" + esc(field.label) + "</legend>" + field.options.map(function (option) {
        var checked = (field.value || []).indexOf(option.value) >= 0 ? " checked" : "";
        return '<label class="check"><input type="checkbox" name="' + field.name + '" value="' + esc(option.value) + '"' + checked + "> " + esc(option.label) + "</label><br>";
      }).join("") + "</fieldset>";
    }
    if (field.type === "select") {
      // A required choice is checked here too (missingChoice), in the page's words.
      var required = field.required ? ' aria-required="true"' : "";
      return "<label>" + esc(field.label) + ' <select id="' + id + '"' + required + ">" + field.options.map(function (option) {
        return '<option value="' + esc(option.value) + '"' + (String(option.value) === String(value) ? " selected" : "") + ">" + esc(option.label) + "</option>";
      }).join("") + "</select></label>";
    }
    if (field.type === "textarea") {
      return "<label>" + esc(field.label) + ' <textarea id="' + id + '" rows="4">' + esc(value) + "</textarea></label>";
    }
    // A number is checked here, in the page's words (wholeNumberProblem), not by the browser:
    // its own message for 1.5 speaks of "steps" in the browser's language, not the page's.
    var number = field.type === "number" ? ' step="any" inputmode="numeric"' : "";
    return "<label>" + esc(field.label) + ' <input id="' + id + '" type="' + (field.type || "text") + '" value="' + esc(value) + '"' +
      (field.required ? " required" : "") + number + (field.placeholder ? ' placeholder="' + esc(field.placeholder) + '"' : "") + "></label>";
  }

  // Every number the forms ask for is a whole one (the API's fields are integers), within
  // `field.min`..`field.max` where the form gives them; the message calls the field by
  // `field.named` where its label is a long explanation. "" when it is fine.
  function wholeNumberProblem(field) {
    if (field.type !== "number") return "";
    var input = $("field-" + field.name);
    var text = input.value.trim();
    if (!text && !input.validity.badInput) return "";
    var value = Number(text);
    var inRange = (field.min === undefined || value >= field.min) && (field.max === undefined || value <= field.max);
    if (text && Number.isInteger(value) && inRange) return "";
    var template = field.min !== undefined && field.max !== undefined ? T.whole_number_between : T.whole_number;
    return fill(template, { field: field.named || field.label, min: field.min, max: field.max });
  }

  // A required choice left on its placeholder (value ""): never a default the person did not pick.
  function missingChoice(field) {
    if (field.type !== "select" || !field.required) return "";
    return $("field-" + field.name).value === "" ? fill(T.choose_one, { field: field.named || field.label }) : "";
  }

  function fieldProblem(field) { return wholeNumberProblem(field) || missingChoice(field); }

  function readField(field) {
    if (field.type === "checkboxes") {
      return Array.prototype.map.call(
        document.querySelectorAll('#dialog-fields input[name="' + field.name + '"]:checked'),
        function (box) { return field.numbers ? Number(box.value) : box.value; });
    }
    var input = $("field-" + field.name);
    if (field.type === "checkbox") return input.checked;
    var text = input.value.trim();
    if (field.type === "number") return text === "" ? null : Number(text);
    if (field.type === "select" && field.numbers) return text === "" ? null : Number(text);
    return text === "" ? null : text;
  }

  // ----- a dialog's problems: in the error colour, beside the field they are about -----

  // The dialog's field the API's `error.field` names ("long_wait_minutes", "json.name", "lines.0").
  function fieldNamed(fields, name) {
    if (!name) return null;
    var parts = String(name).split(".");
    return fields.filter(function (field) { return parts.indexOf(field.name) >= 0; })[0] || null;
  }

  function fieldBox(field) {
    var input = $("field-" + field.name);
    if (input) return input;
    var box = document.querySelector('#dialog-fields input[name="' + field.name + '"]');
    return box ? box.closest("fieldset") : null;
  }

  function markField(field, text) {
    var box = fieldBox(field);
    if (!box) return;
    box.setAttribute("aria-invalid", "true");
    var problem = document.createElement("span");
    problem.className = "field-problem";
    problem.id = "problem-" + field.name;
    problem.textContent = text;
    box.setAttribute("aria-describedby", problem.id);
    (box.closest("label") || box).appendChild(problem);
    if (box.focus) box.focus();
  }

  function clearProblems() {
    Array.prototype.forEach.call(document.querySelectorAll("#dialog-fields .field-problem"), function (problem) {
      problem.remove();
    });
    Array.prototype.forEach.call(document.querySelectorAll('#dialog-fields [aria-invalid="true"]'), function (box) {
      box.removeAttribute("aria-invalid");
      box.removeAttribute("aria-describedby");
    });
    $("dialog-note").textContent = $("dialog-note").dataset.note || "";
    $("dialog-note").dataset.error = "false";
  }

  function showProblem(text) {
    $("dialog-note").textContent = text;
    $("dialog-note").dataset.error = "true";
  }

  // Shows the fields; `save(values)` returns a promise of an API answer: the dialog stays open
  // (showing why) until the server accepts. `button`: {label, danger} for a dialog that does
  // something other than save (revoke a device, free a window); its label names the action.
  function askForm(title, fields, save, note, button) {
    var dialog = $("form-dialog");
    $("dialog-title").textContent = title;
    $("dialog-note").textContent = note || "";
    $("dialog-note").dataset.note = note || "";
    $("dialog-fields").innerHTML = fields.map(fieldHtml).join("");
    var ok = $("dialog-ok");
    ok.textContent = (button && button.label) || T.save;
    ok.className = button && button.danger ? "danger" : "primary";
    $("dialog-note").dataset.error = "false";
    var form = $("dialog-form");
    form.onsubmit = function (event) {
      event.preventDefault();
      clearProblems();
      var wrong = fields.filter(fieldProblem);
      if (wrong.length) {
        wrong.forEach(function (field) { markField(field, fieldProblem(field)); });
        showProblem(wrong.map(fieldProblem).join(" "));
        $("field-" + wrong[0].name).focus();
        return;
      }
      var values = {};
      fields.forEach(function (field) { values[field.name] = readField(field); });
      save(values).then(function (answer) {
        if (answer && answer.ok) { dialog.close(); return; }
        if (!answer || !answer.error) return;
        // The server names the field it did not accept: mark it, and say which it is.
        var text = refusalText(answer.error);
        var named = fieldNamed(fields, answer.error.field);
        if (named) {
          markField(named, text);
          text = fill(T.field_problem, { field: named.named || named.label, problem: text });
        }
        showProblem(text);
      });
    };
    $("dialog-cancel").onclick = function () { dialog.close(); };
    dialog.showModal();
  }

  function download(path, fallbackName) {
    return api("GET", path, undefined, { blob: true }).then(function (answer) {
      if (!answer.ok) { showRefusal(answer.error); return answer; }
      var disposition = answer.response.headers.get("Content-Disposition") || "";
      var match = /filename="([^"]+)"/.exec(disposition);
      var link = document.createElement("a");
      link.href = URL.createObjectURL(answer.blob);
      link.download = match ? match[1] : fallbackName;
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      return answer;
    });
  }

  global.Manager = {
    text: T, locale: LOCALE, state: state, $: $, fill: fill, esc: esc, named: named, minutes: minutes,
    duration: duration, percent: percent, number: number, clock: clock, useHallClock: useHallClock,
    api: api, act: act,
    refusalText: refusalText, showMessage: showMessage, showRefusal: showRefusal, start: start,
    hallParam: hallParam, subtree: subtree, fillHallSelect: fillHallSelect, follow: follow,
    askForm: askForm, download: download,
  };
})(window);
