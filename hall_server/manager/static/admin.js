// Administration of one hall at a time: the hall (its alert thresholds and online tickets),
// departments, services (and the catalogue import), windows, devices and staff accounts. Every
// change is one API call through a small form; the server checks who may do what and says why not.
(function () {
  "use strict";

  var M = window.Manager;
  var T = M.text;
  var $ = M.$;
  var esc = M.esc;

  var state = { user: null, hallId: null, halls: [], tab: "services", departments: [], services: [], windows: [] };

  function isAdmin() { return state.user && state.user.role === "admin"; }

  function hall() {
    return state.halls.filter(function (entry) { return entry.hall.id === state.hallId; })[0].hall;
  }

  function button(action, id, label, kind) {
    return '<button type="button" class="small' + (kind ? " " + kind : "") + '" data-action="' + action + '" data-id="' + id + '">' + esc(label) + "</button>";
  }

  function options(map) {
    return Object.keys(map).map(function (key) { return { value: key, label: map[key] }; });
  }

  function saved(answer) {
    if (answer.ok) { M.showMessage(T.done, "ok"); show(state.tab); }
    return answer;
  }

  // ----- tabs -----

  var LOADERS = {
    hall: function () {
      var h = hall();
      var facts = [
        [T.hall_fields.code, h.code], [T.hall_fields.name, h.name], [T.hall_fields.name_en, h.name_en],
        [T.hall_fields.level, T.levels[h.level] || h.level], [T.hall_fields.time_zone, h.time_zone],
        [T.hall_fields.opening_hours, h.opening_hours], [T.hall_fields.target_wait_minutes, h.target_wait_minutes],
      ];
      $("hall-facts").innerHTML = facts.map(function (f) { return "<dt>" + esc(f[0]) + "</dt><dd>" + esc(f[1] === null ? "—" : f[1]) + "</dd>"; }).join("");
      $("sub-halls").innerHTML = state.halls.filter(function (e) { return e.hall.parent_id === h.id; }).map(function (e) {
        return "<li>" + esc(M.named(e.hall)) + ' <span class="muted">' + esc(T.levels[e.hall.level] || e.hall.level) + "</span></li>";
      }).join("") || "<li>" + esc(T.none) + "</li>";
      var alerts = M.api("GET", "/manager/halls/" + h.id + "/alert-settings").then(function (answer) {
        if (!answer.ok) return;
        state.alertSettings = answer.data;
        $("alert-facts").innerHTML = Object.keys(T.alert_fields).map(function (key) {
          return "<dt>" + esc(T.alert_fields[key]) + "</dt><dd>" + esc(answer.data[key]) + "</dd>";
        }).join("");
      });
      return Promise.all([alerts, loadRemoteSettings(h.id)]);
    },
    departments: function () {
      return M.api("GET", "/halls/" + state.hallId + "/departments").then(function (answer) {
        if (!answer.ok) { M.showRefusal(answer.error); return; }
        state.departments = answer.data;
        $("departments-body").innerHTML = answer.data.map(function (d) {
          return '<tr data-department="' + d.id + '"><td>' + esc(d.code) + "</td><td>" + esc(d.name) + "</td><td>" + esc(d.name_en || "") + "</td>" +
            '<td class="actions">' + button("edit-department", d.id, T.edit) + "</td></tr>";
        }).join("");
      });
    },
    services: function () {
      return Promise.all([
        M.api("GET", "/halls/" + state.hallId + "/services"),
        M.api("GET", "/halls/" + state.hallId + "/departments"),
      ]).then(function (answers) {
        if (!answers[0].ok) { M.showRefusal(answers[0].error); return; }
        state.services = answers[0].data;
        state.departments = answers[1].ok ? answers[1].data : [];
        $("services-body").innerHTML = state.services.map(function (s) {
          return '<tr data-service="' + s.id + '"><td>' + esc(M.named(s.department)) + "</td><td>" + esc(s.code) + "</td><td>" + esc(M.named(s)) + "</td>" +
            "<td>" + esc(s.prefix) + '</td><td class="num">' + s.expected_handling_minutes + '</td><td class="num">' + esc(s.daily_quota === null ? T.no_quota : s.daily_quota) + "</td>" +
            "<td>" + esc(s.issuing_hours || "") + "</td><td>" + (s.active ? "✓" : "—") + "</td>" +
            '<td class="actions">' + button("edit-service", s.id, T.edit) + "</td></tr>";
        }).join("");
      });
    },
    windows: function () {
      return Promise.all([
        M.api("GET", "/halls/" + state.hallId + "/windows"),
        M.api("GET", "/halls/" + state.hallId + "/services"),
      ]).then(function (answers) {
        if (!answers[0].ok) { M.showRefusal(answers[0].error); return; }
        state.windows = answers[0].data;
        state.services = answers[1].ok ? answers[1].data : [];
        $("windows-body").innerHTML = state.windows.map(function (w) {
          return '<tr data-window="' + w.id + '"><td>' + w.number + "</td><td>" + esc(M.named(w)) + "</td><td>" + esc(T.window_kinds[w.kind] || w.kind) + "</td>" +
            '<td><span class="state" data-status="' + esc(w.status) + '">' + esc(T.window_status[w.status] || w.status) + "</span></td>" +
            "<td>" + esc(w.services.map(function (s) { return s.prefix; }).join(" ")) + "</td>" +
            '<td class="actions">' + button("edit-window", w.id, T.edit) + button("window-services", w.id, T.change_services) + "</td></tr>";
        }).join("");
      });
    },
    devices: function () {
      return Promise.all([
        M.api("GET", "/halls/" + state.hallId + "/devices"),
        M.api("GET", "/halls/" + state.hallId + "/windows"),
      ]).then(function (answers) {
        if (!answers[0].ok) { M.showRefusal(answers[0].error); return; }
        state.devices = answers[0].data;
        state.windows = answers[1].ok ? answers[1].data : [];
        var zone = hall().time_zone; // the devices' hall, which may not be the manager's own
        $("devices-body").innerHTML = answers[0].data.map(function (d) {
          var window = state.windows.filter(function (w) { return w.id === d.window_id; })[0];
          return '<tr data-device="' + d.id + '"><td>' + esc(d.name) + "</td><td>" + esc(T.device_kinds[d.kind] || d.kind) + "</td>" +
            "<td>" + esc(window ? window.number : "—") + "</td><td>" + esc(d.printer_status ? (T.printer_status[d.printer_status] || d.printer_status) : "—") + "</td>" +
            "<td>" + esc(d.last_seen_at ? M.clock(d.last_seen_at, zone) : T.never_seen) + "</td><td>" + esc(d.revoked_at ? M.clock(d.revoked_at, zone) : "—") + "</td>" +
            '<td class="actions">' + (d.revoked_at ? "" : button("revoke-device", d.id, T.revoke, "danger")) + "</td></tr>";
        }).join("");
      });
    },
    users: function () {
      return M.api("GET", "/halls/" + state.hallId + "/users").then(function (answer) {
        if (!answer.ok) { M.showRefusal(answer.error); return; }
        state.users = answer.data;
        $("users-body").innerHTML = answer.data.map(function (u) {
          var toggle = u.active ? button("deactivate-user", u.id, T.deactivate, "danger") : button("activate-user", u.id, T.activate);
          return '<tr data-user="' + u.id + '"><td>' + esc(u.staff_number) + "</td><td>" + esc(u.name) + "</td><td>" + esc(T.roles[u.role] || u.role) + "</td>" +
            "<td>" + (u.active ? "✓" : "—") + '</td><td class="actions">' + button("edit-user", u.id, T.edit) +
            button("reset-password", u.id, T.reset_password) + (u.id === state.user.id ? "" : toggle) + "</td></tr>";
        }).join("");
      });
    },
  };

  // Tickets taken on phones (线上取号): off by default; which services, and the caps.
  function loadRemoteSettings(hallId) {
    return Promise.all([
      M.api("GET", "/manager/halls/" + hallId + "/remote-issuing"),
      M.api("GET", "/halls/" + hallId + "/services"),
    ]).then(function (answers) {
      if (!answers[0].ok) return;
      var r = answers[0].data;
      state.remoteSettings = r;
      state.services = answers[1].ok ? answers[1].data : [];
      var R = T.remote;
      var services = r.service_ids === null ? R.all_services : state.services.filter(function (s) {
        return r.service_ids.indexOf(s.id) >= 0;
      }).map(function (s) { return s.prefix + " " + M.named(s); }).join("、") || T.none;
      var facts = [
        [R.enabled, r.enabled ? R.on : R.off], [R.service_ids, services],
        [R.max_waiting, r.max_waiting], [R.quota_share_percent, r.quota_share_percent],
      ];
      $("remote-facts").innerHTML = facts.map(function (f) { return "<dt>" + esc(f[0]) + "</dt><dd>" + esc(f[1]) + "</dd>"; }).join("") +
        "<dt>" + esc(R.page) + '</dt><dd><a id="remote-page-link" href="' + esc(r.take_page_url) + '" target="_blank" rel="noopener">' + esc(r.take_page_url) + "</a>" +
        ' · <a href="' + esc(r.take_page_url + "/qr.svg") + '" target="_blank" rel="noopener">' + esc(R.poster) + "</a></dd>";
    });
  }

  function editRemoteSettings() {
    var r = state.remoteSettings;
    var R = T.remote;
    var active = state.services.filter(function (s) { return s.active; });
    M.askForm(R.title, [
      { name: "enabled", label: R.enabled, type: "checkbox", value: r.enabled },
      { name: "max_waiting", label: R.max_waiting, type: "number", value: r.max_waiting, required: true },
      { name: "quota_share_percent", label: R.quota_share_percent, type: "number", value: r.quota_share_percent, required: true },
      { name: "service_ids", label: R.service_ids, type: "checkboxes", numbers: true,
        value: r.service_ids === null ? active.map(function (s) { return s.id; }) : r.service_ids,
        options: active.map(function (s) { return { value: s.id, label: s.prefix + " " + M.named(s) }; }) },
    ], function (values) {
      // Every active service ticked: "all", so services added later are offered too.
      if (values.service_ids.length === active.length) values.service_ids = null;
      return M.api("PUT", "/manager/halls/" + state.hallId + "/remote-issuing", values).then(saved);
    }, R.note);
  }

  function show(tab) {
    state.tab = tab;
    document.querySelectorAll("[data-tab]").forEach(function (b) { b.setAttribute("aria-selected", String(b.dataset.tab === tab)); });
    document.querySelectorAll("[data-panel]").forEach(function (p) { p.hidden = p.dataset.panel !== tab; });
    // A tab chosen before the halls have come is loaded once they have (M.start).
    if (!state.halls.length) return Promise.resolve();
    return LOADERS[tab]();
  }

  // ----- forms -----

  function hallFields(h) {
    h = h || {};
    return [
      { name: "code", label: T.hall_fields.code, value: h.code, required: true },
      { name: "name", label: T.hall_fields.name, value: h.name, required: true },
      { name: "name_en", label: T.hall_fields.name_en, value: h.name_en },
      { name: "level", label: T.hall_fields.level, type: "select", value: h.level || "township", options: options(T.levels) },
      { name: "opening_hours", label: T.hall_fields.opening_hours, value: h.opening_hours, placeholder: "mon-fri 09:00-17:00" },
      { name: "target_wait_minutes", label: T.hall_fields.target_wait_minutes, type: "number", value: h.target_wait_minutes || 15 },
    ];
  }

  function departmentOptions() {
    return state.departments.map(function (d) { return { value: d.id, label: d.name }; });
  }

  function serviceFields(s) {
    s = s || {};
    // No department is assumed: a new service waits for one to be picked.
    var departments = [{ value: "", label: T.choose_department }].concat(departmentOptions());
    return [
      { name: "department_id", label: T.service_fields.department, type: "select", numbers: true, required: true,
        value: s.department ? s.department.id : "", options: departments },
      { name: "code", label: T.service_fields.code, value: s.code, required: true },
      { name: "name", label: T.service_fields.name, value: s.name, required: true },
      { name: "name_en", label: T.service_fields.name_en, value: s.name_en },
      { name: "prefix", label: T.service_fields.prefix, value: s.prefix, required: true },
      { name: "expected_handling_minutes", label: T.service_fields.expected_handling_minutes, type: "number", value: s.expected_handling_minutes || 10,
        min: 1, max: 480 },
      { name: "daily_quota", label: T.service_fields.daily_quota, type: "number", value: s.daily_quota, placeholder: T.no_quota,
        min: 0, max: 100000 },
      { name: "issuing_hours", label: T.service_fields.issuing_hours, value: s.issuing_hours, placeholder: "mon-fri 09:00-16:30" },
      { name: "active", label: T.service_fields.active, type: "checkbox", value: s.id ? s.active : true },
    ];
  }

  function windowFields(w) {
    w = w || {};
    return [
      { name: "number", label: T.window_fields.number, type: "number", value: w.number, required: true },
      { name: "name", label: T.window_fields.name, value: w.name, required: true },
      { name: "name_en", label: T.window_fields.name_en, value: w.name_en },
      { name: "kind", label: T.window_fields.kind, type: "select", value: w.kind || "comprehensive", options: options(T.window_kinds) },
    ];
  }

  function withoutEmpty(values, keep) {
    var body = {};
    Object.keys(values).forEach(function (key) {
      if (values[key] !== null || (keep || []).indexOf(key) >= 0) body[key] = values[key];
    });
    return body;
  }

  function byId(list, id) { return list.filter(function (item) { return item.id === id; })[0]; }

  function showSecret(box, text) {
    $(box).textContent = text;
    $(box).hidden = false;
  }

  // ----- a device just enrolled: its page's address, and a kiosk's print agent command -----

  var DEVICE_PAGES = { kiosk: "/kiosk/", board: "/board/", window_display: "/window-display/", rating_pad: "/rating/" };

  function copyLine(id, label, text) {
    return '<div class="copy-line"><span class="copy-label">' + esc(label) + '</span> <code id="' + id + '">' + esc(text) + "</code> " +
      '<button type="button" class="small" data-copy="' + id + '">' + esc(T.copy) + "</button></div>";
  }

  // The token is shown only now (the server keeps only its hash): everything the device needs
  // is here to copy, ready to paste into the device's browser or the kiosk PC's terminal.
  function showEnrolment(device, token) {
    var origin = window.location.origin;
    var lines = ['<p class="token-once">' + esc(T.token_once) + "</p>"];
    var page = DEVICE_PAGES[device.kind];
    if (page) lines.push(copyLine("device-page-address", T.device_page, origin + page + "?token=" + encodeURIComponent(token)));
    if (device.kind === "kiosk") {
      lines.push(copyLine("device-agent-command", T.print_agent,
        "hallq kiosk --server " + origin + " --token " + token + " --printer usb:VID:PID"));
      lines.push('<p class="hint">' + esc(T.printer_spec_note) + "</p>");
    }
    lines.push(copyLine("device-token-value", T.device_token, token));
    $("device-token").innerHTML = lines.join("");
    $("device-token").hidden = false;
  }

  // The clipboard API where the page may use it; else the words are selected to copy by hand.
  function copyText(button) {
    var source = $(button.dataset.copy);
    var text = source.textContent;
    function copied() { button.textContent = T.copied; }
    function selectIt() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand && document.execCommand("copy")) copied();
      else button.textContent = T.copy_by_hand;
    }
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(copied, selectIt);
    else selectIt();
  }

  var ACTIONS = {
    "edit-department": function (id) {
      var d = byId(state.departments, id);
      M.askForm(T.edit, [
        { name: "code", label: T.service_fields.code, value: d.code, required: true },
        { name: "name", label: T.service_fields.name, value: d.name, required: true },
        { name: "name_en", label: T.service_fields.name_en, value: d.name_en },
      ], function (values) { return M.api("PATCH", "/departments/" + id, withoutEmpty(values, ["name_en"])).then(saved); });
    },
    "edit-service": function (id) {
      var s = byId(state.services, id);
      M.askForm(M.named(s), serviceFields(s), function (values) {
        return M.api("PATCH", "/services/" + id, withoutEmpty(values, ["daily_quota", "issuing_hours", "name_en"])).then(saved);
      });
    },
    "edit-window": function (id) {
      var w = byId(state.windows, id);
      M.askForm(M.named(w), windowFields(w), function (values) {
        return M.api("PATCH", "/windows/" + id, withoutEmpty(values, ["name_en"])).then(saved);
      });
    },
    "window-services": function (id) {
      var w = byId(state.windows, id);
      M.askForm(M.fill(T.services_title, { number: w.number }), [
        { name: "service_ids", label: T.services_label, type: "checkboxes", numbers: true,
          value: w.services.map(function (s) { return s.id; }),
          options: state.services.map(function (s) { return { value: s.id, label: s.prefix + " " + M.named(s) }; }) },
      ], function (values) { return M.api("PUT", "/windows/" + id + "/services", values).then(saved); }, T.services_note);
    },
    "revoke-device": function (id) {
      var d = byId(state.devices, id);
      var title = M.fill(T.revoke_title, { kind: T.device_kinds[d.kind] || d.kind, name: d.name });
      M.askForm(title, [], function () { return M.api("POST", "/devices/" + id + "/revoke").then(saved); }, T.revoke_note,
        { label: T.revoke, danger: true });
    },
    "edit-user": function (id) {
      var u = byId(state.users, id);
      M.askForm(u.staff_number, [
        { name: "name", label: T.user_fields.name, value: u.name, required: true },
        { name: "role", label: T.user_fields.role, type: "select", value: u.role, options: options(T.roles) },
      ], function (values) { return M.api("PATCH", "/users/" + id, values).then(saved); });
    },
    "deactivate-user": function (id) { M.api("PATCH", "/users/" + id, { active: false }).then(function (a) { if (!a.ok) M.showRefusal(a.error); saved(a); }); },
    "activate-user": function (id) { M.api("PATCH", "/users/" + id, { active: true }).then(function (a) { if (!a.ok) M.showRefusal(a.error); saved(a); }); },
    "reset-password": function (id) {
      var u = byId(state.users, id);
      M.askForm(M.fill(T.reset_title, { name: u.name }), [
        { name: "password", label: T.user_fields.password, type: "password", placeholder: T.password_made_up },
      ], function (values) {
        return M.api("POST", "/users/" + id + "/password", withoutEmpty(values)).then(function (answer) {
          if (answer.ok) showSecret("user-password", answer.data.password ? M.fill(T.password_once, { password: answer.data.password }) : T.done);
          return saved(answer);
        });
      });
    },
  };

  function wireButtons() {
    $("page-view").addEventListener("click", function (event) {
      var tab = event.target.closest("[data-tab]");
      if (tab) { state.tabChosen = true; show(tab.dataset.tab); return; }
      var copy = event.target.closest("button[data-copy]");
      if (copy) { copyText(copy); return; }
      var action = event.target.closest("button[data-action]");
      if (action && ACTIONS[action.dataset.action]) ACTIONS[action.dataset.action](Number(action.dataset.id));
    });
    $("admin-hall").addEventListener("change", function () {
      state.hallId = Number($("admin-hall").value);
      show(state.tab);
    });
    $("edit-hall").addEventListener("click", function () {
      M.askForm(M.named(hall()), hallFields(hall()), function (values) {
        return M.api("PATCH", "/halls/" + state.hallId, withoutEmpty(values, ["opening_hours", "name_en"])).then(function (answer) {
          return answer.ok ? reloadHalls().then(function () { return saved(answer); }) : answer;
        });
      });
    });
    $("add-hall").addEventListener("click", function () {
      M.askForm(T.add_hall, hallFields(null), function (values) {
        var body = withoutEmpty(values);
        body.parent_id = state.hallId;
        return M.api("POST", "/halls", body).then(function (answer) {
          return answer.ok ? reloadHalls().then(function () { return saved(answer); }) : answer;
        });
      });
    });
    $("edit-alerts").addEventListener("click", function () {
      M.askForm(T.alert_title, Object.keys(T.alert_fields).map(function (key) {
        return { name: key, label: T.alert_fields[key], type: "number", value: state.alertSettings[key], required: true };
      }), function (values) { return M.api("PUT", "/manager/halls/" + state.hallId + "/alert-settings", values).then(saved); });
    });
    $("edit-remote").addEventListener("click", editRemoteSettings);
    $("add-department").addEventListener("click", function () {
      M.askForm(T.add_department, [
        { name: "code", label: T.service_fields.code, required: true },
        { name: "name", label: T.service_fields.name, required: true },
        { name: "name_en", label: T.service_fields.name_en },
      ], function (values) { return M.api("POST", "/halls/" + state.hallId + "/departments", withoutEmpty(values)).then(saved); });
    });
    $("add-service").addEventListener("click", function () {
      // The departments as they are now, whether or not the services tab has finished loading.
      M.api("GET", "/halls/" + state.hallId + "/departments").then(function (answer) {
        if (!answer.ok) { M.showRefusal(answer.error); return; }
        state.departments = answer.data;
        M.askForm(T.add_service, serviceFields(null), function (values) {
          return M.api("POST", "/halls/" + state.hallId + "/services", withoutEmpty(values)).then(saved);
        });
      });
    });
    $("add-window").addEventListener("click", function () {
      M.askForm(T.add_window, windowFields(null), function (values) {
        return M.api("POST", "/halls/" + state.hallId + "/windows", withoutEmpty(values)).then(saved);
      });
    });
    $("add-device").addEventListener("click", function () {
      M.api("GET", "/halls/" + state.hallId + "/windows").then(function (windows) {
        var choices = [{ value: "", label: "—" }].concat((windows.data || []).map(function (w) { return { value: w.id, label: w.number + " " + M.named(w) }; }));
        M.askForm(T.add_device, [
          { name: "kind", label: T.device_fields.kind, type: "select", value: "kiosk", options: options(T.device_kinds) },
          { name: "name", label: T.device_fields.name, required: true },
          { name: "window_id", label: T.device_fields.window, type: "select", numbers: true, value: "", options: choices },
        ], function (values) {
          return M.api("POST", "/halls/" + state.hallId + "/devices", withoutEmpty(values)).then(function (answer) {
            if (answer.ok) showEnrolment(answer.data.device, answer.data.token);
            return saved(answer);
          });
        });
      });
    });
    $("add-user").addEventListener("click", function () {
      M.askForm(T.add_user, [
        { name: "staff_number", label: T.user_fields.staff_number, required: true },
        { name: "name", label: T.user_fields.name, required: true },
        { name: "role", label: T.user_fields.role, type: "select", value: "clerk", options: options(T.roles) },
        { name: "password", label: T.user_fields.password, type: "password", placeholder: T.password_made_up },
      ], function (values) {
        return M.api("POST", "/halls/" + state.hallId + "/users", withoutEmpty(values)).then(function (answer) {
          if (answer.ok) showSecret("user-password", answer.data.password ? M.fill(T.password_once, { password: answer.data.password }) : T.done);
          return saved(answer);
        });
      });
    });
    $("import-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var file = $("import-file").files[0];
      if (!file) return;
      var form = new FormData();
      form.append("file", file);
      var dry = $("import-dry-run").checked;
      M.api("POST", "/halls/" + state.hallId + "/services/import?dry_run=" + dry, form).then(function (answer) {
        var box = $("import-result");
        box.hidden = false;
        if (!answer.ok) { box.textContent = M.refusalText(answer.error); return; }
        var r = answer.data;
        box.innerHTML = esc(M.fill(r.problems.length ? T.import_problems : (r.dry_run ? T.import_checked : T.import_done),
          { created: r.created, updated: r.updated, problems: r.problems.length })) +
          (r.problems.length ? "<ul>" + r.problems.map(function (p) { return "<li>" + esc(M.fill(T.import_line, { line: p.line, message: p.message })) + "</li>"; }).join("") + "</ul>" : "");
        if (r.applied) show("services");
      });
    });
  }

  function reloadHalls() {
    return M.fillHallSelect($("admin-hall"), state.user, state.hallId).then(function (tree) { state.halls = tree; });
  }

  M.start(function (user) {
    state.user = user;
    state.hallId = M.hallParam(user);
    document.querySelectorAll("[data-admin-only]").forEach(function (b) { b.hidden = !isAdmin(); });
    $("tab-users").hidden = !isAdmin();
    wireButtons();
    reloadHalls().then(function () { show(state.tabChosen ? state.tab : isAdmin() ? "hall" : "services"); });
  });
})();
