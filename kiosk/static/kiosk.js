// The kiosk's touch screen: department → service (or search by name or pinyin initials),
// optional identification, confirmation with the wait, then the ticket with its QR code and
// the print job's fate. Every screen falls back to the start after the idle time.
(function () {
  "use strict";

  var HALLQ = window.HALLQ;
  var T = HALLQ.text;
  var KIOSK = HALLQ.kiosk;
  var POLICY = KIOSK.policy;
  var TOKEN = new URLSearchParams(window.location.search).get("token");
  var LOCALE = HALLQ.locale;
  var PRINT_POLL_MS = 600;
  var PRINT_GIVE_UP_MS = 20000;
  var ID_NUMBER = /^[0-9]{17}[0-9X]$/;
  var PHONE = /^1[0-9]{10}$/;

  var state = freshState();
  var catalogue = { departments: [], services: [] };
  var waitingByService = {};
  var printerStatus = KIOSK.printer_status;
  var idleTimer = null;
  var printPoll = null;
  var scanBuffer = "";

  function freshState() {
    return {
      screen: "start",
      department: null, // the department whose services are listed; null while searching
      searching: false,
      query: "",
      service: null,
      identity: null, // {kind: "phone"|"id_number"|"code", value}; kept in memory only
      entryKind: null, // which keypad is open on the identify screen
      entry: "",
      preview: null,
      issueKey: null,
      ticket: null,
      job: null,
      printGaveUp: false,
    };
  }

  // ---- small helpers -------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }
  function named(item) { return LOCALE === "en" && item.name_en ? item.name_en : item.name; }
  function button(label, className, onTap) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.addEventListener("click", onTap);
    return element;
  }
  function api(method, path, body, extraHeaders) {
    var headers = Object.assign(
      { Authorization: "Bearer " + TOKEN, Accept: "application/json" }, extraHeaders || {});
    var options = { method: method, headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }
  function waitText(estimate) {
    if (!estimate) return T.no_window_now;
    if (estimate.high_minutes === 0) return T.under_a_minute;
    if (estimate.low_minutes === estimate.high_minutes) {
      return fill(T.minutes_point, { n: estimate.low_minutes });
    }
    return fill(T.minutes_range, { low: estimate.low_minutes, high: estimate.high_minutes });
  }
  function maskedIdentity(identity) {
    if (!identity) return "";
    var value = identity.value;
    if (identity.kind === "phone") return value.slice(0, 3) + "****" + value.slice(7);
    if (identity.kind === "id_number") {
      return value.slice(0, 4) + "*".repeat(value.length - 8) + value.slice(-4);
    }
    return value;
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // ---- screens -------------------------------------------------------------------------
  function show(screen) {
    state.screen = screen;
    document.querySelectorAll(".screen").forEach(function (section) {
      section.hidden = section.id !== "screen-" + screen;
    });
    document.body.dataset.screen = screen;
    window.scrollTo(0, 0);
  }

  function renderDepartments() {
    var grid = $("departments");
    grid.innerHTML = "";
    catalogue.departments.forEach(function (department) {
      grid.appendChild(button(named(department), "tile", function () {
        state.department = department;
        state.searching = false;
        renderServices();
        show("services");
      }));
    });
  }

  function matches(service, department, query) {
    if (!query) return true;
    var lower = query.toLowerCase();
    if (service.name.indexOf(query) !== -1) return true;
    if (service.name_en && service.name_en.toLowerCase().indexOf(lower) !== -1) return true;
    if (department.name.indexOf(query) !== -1) return true;
    if (!/^[a-z0-9]+$/.test(lower)) return false;
    // Initials: the service's own (gjj → 公积金提取), any later word of it (tq → 公积金提取),
    // or its department's (ylbzj → every 医疗保障局 service).
    return service.initials.some(function (initials) {
      return initials.indexOf(lower) !== -1;
    }) || department.initials.some(function (initials) {
      return initials.indexOf(lower) === 0;
    });
  }

  function rankOf(service, query) {
    var lower = query.toLowerCase();
    if (!query) return 0;
    if (service.name.indexOf(query) === 0) return 0;
    if (service.initials.some(function (i) { return i.indexOf(lower) === 0; })) return 1;
    return 2;
  }

  function renderServices() {
    var list = $("services");
    list.innerHTML = "";
    var shown = [];
    $("search-panel").hidden = !state.searching;
    $("services-title").textContent = state.searching
      ? T.search : state.department ? named(state.department) : T.choose_service;
    catalogue.departments.forEach(function (department) {
      if (!state.searching && state.department && department.id !== state.department.id) return;
      department.services.forEach(function (service) {
        if (state.searching && !matches(service, department, state.query)) return;
        shown.push(service);
      });
    });
    if (state.searching) {
      shown.sort(function (a, b) { return rankOf(a, state.query) - rankOf(b, state.query); });
    }
    shown.forEach(function (service) {
      var element = button("", "service-button", function () { chooseService(service); });
      element.dataset.serviceId = service.id;
      var name = document.createElement("span");
      name.className = "service-name";
      name.textContent = named(service);
      element.appendChild(name);
      var waiting = waitingByService[service.id];
      if (waiting !== undefined) {
        var count = document.createElement("span");
        count.className = "service-waiting";
        count.textContent = fill(T.waiting_count, { n: waiting });
        element.appendChild(count);
      }
      list.appendChild(element);
    });
    $("no-match").hidden = shown.length > 0;
  }

  function renderLetterPad() {
    var pad = $("letter-pad");
    "abcdefghijklmnopqrstuvwxyz".split("").forEach(function (letter) {
      pad.appendChild(button(letter, "key", function () { setQuery(state.query + letter); }));
    });
    pad.appendChild(button(T.delete, "key wide", function () {
      setQuery(state.query.slice(0, -1));
    }));
    pad.appendChild(button(T.clear, "key wide", function () { setQuery(""); }));
  }

  function setQuery(query) {
    state.query = query;
    $("search-input").value = query;
    renderServices();
  }

  function openSearch() {
    state.department = null;
    state.searching = true;
    setQuery("");
    show("services");
  }

  // ---- identification ------------------------------------------------------------------
  function chooseService(service) {
    state.service = service;
    state.identity = null;
    if (POLICY.identification === "off") {
      confirm();
      return;
    }
    openIdentify();
  }

  function openIdentify() {
    state.entryKind = null;
    state.entry = "";
    scanBuffer = "";
    $("identify-policy").textContent =
      POLICY.identification === "required" ? T.identify_required : T.identify_optional;
    $("identify-skip").hidden = POLICY.identification === "required";
    $("identify-panel").hidden = true;
    $("identify-continue").hidden = true;
    var methods = $("identify-methods");
    methods.innerHTML = "";
    var labels = { id_card: T.identify_id_card, phone: T.identify_phone, code: T.identify_code };
    POLICY.identify_by.forEach(function (kind) {
      var element = button(labels[kind], "method", function () { openEntry(kind); });
      element.dataset.method = kind;
      methods.appendChild(element);
    });
    show("identify");
  }

  function openEntry(kind) {
    state.entryKind = kind;
    state.entry = "";
    document.querySelectorAll("#identify-methods .method").forEach(function (element) {
      element.classList.toggle("chosen", element.dataset.method === kind);
    });
    var hints = {
      id_card: T.identify_id_card_hint, phone: T.identify_phone_hint, code: T.identify_code_hint,
    };
    $("identify-hint").textContent = hints[kind];
    $("identify-panel").hidden = false;
    $("identify-error").hidden = true;
    $("number-pad").hidden = kind === "code";
    $("identify-continue").hidden = kind === "code";
    renderNumberPad(kind);
    renderEntry();
  }

  function renderNumberPad(kind) {
    var pad = $("number-pad");
    pad.innerHTML = "";
    var keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
    keys.push(kind === "id_card" ? "X" : "");
    keys.push("0");
    keys.forEach(function (key) {
      if (!key) {
        pad.appendChild(document.createElement("span"));
        return;
      }
      pad.appendChild(button(key, "key", function () { typeEntry(key); }));
    });
    pad.appendChild(button("⌫", "key", function () {
      state.entry = state.entry.slice(0, -1);
      renderEntry();
    }));
  }

  function typeEntry(character) {
    var limit = state.entryKind === "phone" ? 11 : 18;
    if (state.entry.length >= limit) return;
    state.entry += character;
    renderEntry();
  }

  function renderEntry() {
    $("identify-value").textContent = state.entry;
    $("identify-error").hidden = true;
  }

  function acceptEntry() {
    var value = state.entry.toUpperCase();
    if (state.entryKind === "phone") {
      if (!PHONE.test(value)) return entryError(T.invalid_phone);
      state.identity = { kind: "phone", value: value };
    } else if (state.entryKind === "id_card") {
      if (!ID_NUMBER.test(value)) return entryError(T.invalid_id_number);
      state.identity = { kind: "id_number", value: value };
    }
    confirm();
  }

  function entryError(message) {
    $("identify-error").textContent = message;
    $("identify-error").hidden = false;
  }

  // Card readers and code scanners type like a keyboard and end with Enter.
  function onScannerKey(event) {
    if (state.screen !== "identify") return;
    if (event.key === "Enter") {
      var scanned = scanBuffer.trim();
      scanBuffer = "";
      if (!scanned) {
        if (state.entryKind === "phone" || state.entryKind === "id_card") acceptEntry();
        return;
      }
      event.preventDefault();
      if (ID_NUMBER.test(scanned.toUpperCase())) {
        state.identity = { kind: "id_number", value: scanned.toUpperCase() };
      } else if (PHONE.test(scanned) && state.entryKind === "phone") {
        state.identity = { kind: "phone", value: scanned };
      } else {
        state.identity = { kind: "code", value: scanned };
      }
      confirm();
    } else if (event.key && event.key.length === 1) {
      scanBuffer += event.key;
    }
  }

  // ---- confirmation and issuing --------------------------------------------------------
  function confirm() {
    state.issueKey = newKey(); // one key per confirmation: a double tap issues one ticket
    state.preview = null;
    $("confirm-service").textContent = named(state.service);
    $("confirm-ahead").textContent = "…";
    $("confirm-wait").textContent = "…";
    var identified = Boolean(state.identity);
    $("confirm-identity-label").hidden = !identified;
    $("confirm-identity").hidden = !identified;
    if (identified) {
      var shown = maskedIdentity(state.identity);
      $("confirm-identity").textContent = state.identity.kind === "code"
        ? fill(T.code_scanned, { code: shown }) : shown;
    }
    $("take-ticket").disabled = false;
    show("confirm");
    api("GET", "/kiosk/preview.json?service_id=" + state.service.id).then(function (answer) {
      if (state.screen !== "confirm") return;
      if (!answer.ok) return;
      state.preview = answer.data;
      if (answer.data.refusal) {
        refuse(answer.data.refusal.code);
        return;
      }
      $("confirm-ahead").textContent = String(answer.data.people_ahead);
      $("confirm-wait").textContent = waitText(answer.data.estimated_wait);
    }).catch(function () { /* the issue request reports a lost connection */ });
  }

  function takeTicket() {
    $("take-ticket").disabled = true;
    var hallId = KIOSK.hall_id;
    var request;
    var headers = { "Idempotency-Key": state.issueKey };
    if (state.identity && state.identity.kind === "code") {
      // Appointment and pre-review check-in (the appointments feature answers this route).
      request = api("POST", "/api/v1/halls/" + hallId + "/check-ins",
        { code: state.identity.value, service_id: state.service.id }, headers);
    } else {
      var body = { service_id: state.service.id };
      if (state.identity && state.identity.kind === "phone") body.phone = state.identity.value;
      if (state.identity && state.identity.kind === "id_number") {
        body.id_number = state.identity.value;
      }
      request = api("POST", "/api/v1/halls/" + hallId + "/tickets", body, headers);
    }
    request.then(function (answer) {
      if (answer.ok) {
        state.identity = null; // nothing personal stays in the page once the ticket exists
        showTicket(answer.data);
        return;
      }
      var code = answer.data && answer.data.error ? answer.data.error.code : "error";
      if (state.identity && state.identity.kind === "code" && (answer.status === 404 ||
          answer.status === 405 || code === "not_found")) {
        code = "code_not_recognised";
      }
      refuse(code);
    }).catch(function () { refuse("kiosk_offline"); });
  }

  function refuse(code) {
    var texts = T.refusals[code] || T.refusals.error;
    $("refusal-title").textContent = texts.title;
    $("refusal-advice").textContent = texts.advice;
    $("screen-refusal").dataset.code = code;
    $("refusal-ordinary").hidden = code !== "code_not_recognised";
    $("refusal-ordinary").textContent =
      POLICY.identification === "required" ? T.identify_other_way : T.identify_skip;
    show("refusal");
  }

  // ---- the ticket and its print job ----------------------------------------------------
  function showTicket(ticket) {
    state.ticket = ticket;
    state.job = ticket.print_job || null;
    state.printGaveUp = false;
    $("ticket-number").textContent = ticket.number;
    $("ticket-service").textContent = named(ticket.service);
    $("ticket-holder").hidden = !ticket.holder_display_name;
    $("ticket-holder").textContent = ticket.holder_display_name || "";
    $("ticket-ahead").textContent = ticket.people_ahead === null ? "–" : String(ticket.people_ahead);
    $("ticket-wait").textContent = waitText(ticket.estimated_wait);
    $("ticket-qr").src = "/kiosk/qr/" + encodeURIComponent(ticket.status_token) + ".svg";
    show("ticket");
    if (state.job) watchPrintJob(Date.now());
    else renderPrintStatus("none");
  }

  function watchPrintJob(startedAt) {
    clearTimeout(printPoll);
    renderPrintStatus("pending");
    function poll() {
      if (!state.job || state.screen !== "ticket") return;
      api("GET", "/api/v1/print-jobs/" + state.job.id).then(function (answer) {
        if (!state.job || state.screen !== "ticket") return;
        if (answer.ok) state.job = answer.data;
        if (state.job.status === "pending") {
          if (Date.now() - startedAt > PRINT_GIVE_UP_MS) {
            state.printGaveUp = true;
            renderPrintStatus("failed");
            return;
          }
          printPoll = setTimeout(poll, PRINT_POLL_MS);
          return;
        }
        renderPrintStatus(state.job.status);
      }).catch(function () { printPoll = setTimeout(poll, PRINT_POLL_MS * 3); });
    }
    printPoll = setTimeout(poll, PRINT_POLL_MS / 2);
  }

  function failureReason() {
    if (state.printGaveUp) return T.print_reason_no_answer;
    var error = (state.job && state.job.error) || "";
    var status = printerStatus;
    if (error.indexOf("paper") !== -1 || status === "paper_out") return T.print_reason_paper_out;
    if (error.indexOf("offline") !== -1 || error.indexOf("unavailable") !== -1 ||
        status === "offline") return T.print_reason_offline;
    return T.print_reason_other;
  }

  function renderPrintStatus(status) {
    var box = $("print-status");
    box.dataset.status = status;
    $("print-again").hidden = true;
    $("on-screen-only").hidden = true;
    if (status === "pending") {
      box.textContent = T.printing;
    } else if (status === "printed") {
      box.textContent = T.printed;
    } else if (status === "failed") {
      box.textContent = "";
      var reason = document.createElement("strong");
      reason.textContent = fill(T.print_failed, { reason: failureReason() });
      var valid = document.createElement("p");
      valid.textContent = T.ticket_still_valid;
      box.appendChild(reason);
      box.appendChild(valid);
      $("print-again").hidden = false;
      $("on-screen-only").hidden = false;
    } else if (status === "cancelled") {
      box.textContent = T.on_screen_chosen;
    } else {
      box.textContent = T.ticket_still_valid;
    }
  }

  function printAgain() {
    if (!state.job) return;
    $("print-again").hidden = true;
    api("POST", "/api/v1/print-jobs/" + state.job.id + "/retry").then(function (answer) {
      if (answer.ok) {
        state.job = answer.data;
        state.printGaveUp = false;
        watchPrintJob(Date.now());
      } else {
        renderPrintStatus("cancelled");
        cancelPrint();
      }
    });
  }

  function cancelPrint() {
    // A job left pending would print later for nobody once the printer is back.
    var job = state.job;
    if (!job || job.status === "printed" || job.status === "cancelled") return;
    job.status = "cancelled";
    api("POST", "/api/v1/print-jobs/" + job.id + "/cancel").catch(function () {});
  }

  function onScreenOnly() {
    clearTimeout(printPoll);
    cancelPrint();
    renderPrintStatus("cancelled");
  }

  // ---- printer status ------------------------------------------------------------------
  function renderPrinterBanner() {
    var banner = $("printer-banner");
    var text = printerStatus === "paper_out" ? T.printer_paper_out
      : printerStatus === "offline" ? T.printer_offline : "";
    banner.textContent = text;
    banner.hidden = !text;
    banner.dataset.status = printerStatus || "";
    document.body.classList.toggle("printer-fault", Boolean(text));
  }

  // ---- start, idle and live ------------------------------------------------------------
  function backToStart() {
    clearTimeout(printPoll);
    if (state.screen === "ticket") cancelPrint();
    if (LOCALE !== "zh") {
      // The next visitor starts in Chinese: reload without the English switch.
      window.location.assign("/kiosk/?token=" + encodeURIComponent(TOKEN));
      return;
    }
    state = freshState();
    scanBuffer = "";
    setLargeText(false);
    $("search-input").value = "";
    loadCatalogue();
    if (live) live.resync();
    show("start");
  }

  function restartIdleTimer() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (state.screen !== "start" || document.body.classList.contains("large-text") ||
          LOCALE !== "zh") {
        backToStart();
      }
    }, POLICY.idle_seconds * 1000);
  }

  function setLargeText(on) {
    document.documentElement.classList.toggle("large-text", on);
    document.body.classList.toggle("large-text", on);
    $("text-size").setAttribute("aria-pressed", on ? "true" : "false");
    $("text-size").textContent = on ? T.normal_text : T.larger_text;
  }

  function loadCatalogue() {
    return api("GET", "/kiosk/catalogue.json").then(function (answer) {
      if (!answer.ok) return;
      catalogue.departments = answer.data.departments;
      renderDepartments();
      if (state.screen === "services") renderServices();
    });
  }

  function applySnapshot(snapshot) {
    waitingByService = {};
    (snapshot.waiting || []).forEach(function (entry) {
      waitingByService[entry.service_id] = entry.waiting;
    });
    if (state.screen === "services") renderServices();
  }

  var live = null;

  function startLive() {
    if (!window.HallLive) return;
    live = new window.HallLive({ token: TOKEN, hallId: KIOSK.hall_id });
    live.on("snapshot", applySnapshot);
    live.on("device.changed", function (message) {
      if (message.device && message.device.id === KIOSK.device_id) {
        printerStatus = message.device.printer_status;
        renderPrinterBanner();
      }
    });
    live.on("online", function () { document.body.classList.remove("offline"); });
    live.on("offline", function () { document.body.classList.add("offline"); });
    live.start();
  }

  function wire() {
    $("open-search").addEventListener("click", openSearch);
    $("search-input").addEventListener("input", function (event) {
      state.query = event.target.value.trim();
      renderServices();
    });
    $("identify-skip").addEventListener("click", function () {
      state.identity = null;
      confirm();
    });
    $("identify-continue").addEventListener("click", acceptEntry);
    $("take-ticket").addEventListener("click", takeTicket);
    $("print-again").addEventListener("click", printAgain);
    $("on-screen-only").addEventListener("click", onScreenOnly);
    $("refusal-ordinary").addEventListener("click", function () {
      state.identity = null;
      if (POLICY.identification === "required") openIdentify();
      else confirm();
    });
    $("text-size").addEventListener("click", function () {
      setLargeText(!document.body.classList.contains("large-text"));
    });
    $("language").addEventListener("click", function (event) {
      var target = event.currentTarget.dataset.targetLocale;
      window.location.assign(
        "/kiosk/?token=" + encodeURIComponent(TOKEN) + (target === "zh" ? "" : "&lang=" + target));
    });
    document.querySelectorAll("[data-action]").forEach(function (element) {
      element.addEventListener("click", function () {
        var action = element.dataset.action;
        if (action === "start" || action === "done") backToStart();
        else if (action === "back-to-services") {
          if (state.department || state.searching) show("services");
          else backToStart();
        } else if (action === "back-from-confirm") {
          if (POLICY.identification === "off") show("services");
          else openIdentify();
        }
      });
    });
    ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, restartIdleTimer, { passive: true });
    });
    document.addEventListener("keydown", onScannerKey);
  }

  wire();
  renderLetterPad();
  renderPrinterBanner();
  loadCatalogue();
  startLive();
  restartIdleTimer();
  show("start");
  window.HallqKiosk = { state: function () { return state; } };
})();
