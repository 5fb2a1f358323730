// The kiosk's touch screen: department → service (or search by name or pinyin initials),
// optional identification, confirmation with the wait, then the ticket with its QR code and
// the print job's fate. A visitor with an appointment or an online pre-review scans or types
// its code (or presents the ID card) instead: the booking names the service, and the ticket is
// issued with the code, so it comes out as an appointment or pre-reviewed ticket. Every screen
// falls back to the start after the idle time. A service's button says how many people a ticket
// taken now would have ahead (the confirmation's figure); one the server would refuse now cannot
// be tapped and says why (today's quota used up, its issuing hours), and a closed hall says so
// once, above greyed-out tiles; both come back with the figures read every half minute. A
// kiosk whose token the server refuses (a 401 on any call, or on the check made every half
// minute and whenever its live connection is refused) goes out of service for good.
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
  // The services' figures (and, with them, whether this kiosk's token still holds) are asked
  // for when a visitor opens a list of services and every half minute; a refused live
  // connection asks at once, at most every 10 s while it keeps being refused.
  var FIGURES_EVERY_MS = 30000;
  var FIGURES_AFTER_REFUSAL_MS = 10000;
  // Printer states in which a ticket is expected to come out; in any other the page says at
  // once that the ticket is on screen rather than keep the visitor waiting for the printer.
  var PRINTER_BELIEVED_OK = ["ok", "paper_near_end"];
  var ID_NUMBER = /^[0-9]{17}[0-9X]$/;
  var PHONE = /^1[3-9][0-9]{9}$/; // a mainland mobile number, as the server checks it

  var state = freshState();
  var catalogue = { departments: [], services: [] };
  var figuresByService = {}; // service id -> {people_ahead, estimated_wait, refusal, ...}
  var hallIssuing = { refusal: null, opening_hours: null }; // the hall's own refusal, if any
  var figuresReadAt = null; // the server's moment of the figures, which their hours are read at
  var figuresTimer = null;
  var figuresAskedAt = 0;
  var outOfService = false;
  var printerStatus = KIOSK.printer_status;
  var idleTimer = null;
  var lastActivityAt = Date.now();
  var printPoll = null;
  var scanBuffer = "";

  function freshState() {
    return {
      screen: "start",
      department: null, // the department whose services are listed; null while searching
      searching: false,
      query: "",
      service: null,
      identity: null, // {kind: "phone"|"id_number"|"code", value, scanned}; in memory only
      entryKind: null, // which keypad is open on the identify screen
      entry: "",
      bookingFlow: false, // the visitor came with a code or ID card to check in a booking
      booking: null, // what the server found: appointment or pre-review (preview.booking)
      preview: null,
      issueKey: null,
      ticket: null,
      job: null,
      printGaveUp: false,
      serviceChosen: false, // chose a service before identifying (not from a booking)
      retry: null,
    };
  }

  // ---- small helpers -------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  var fill = window.HallqWaitText.fill;
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
      // The token is unknown or revoked: no call from this page can succeed any more.
      if (response.status === 401) goOutOfService();
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }
  function waitText(estimate) { return window.HallqWaitText.waitText(T, estimate); }
  function maskedIdentity(identity) {
    if (!identity) return "";
    var value = identity.value;
    if (identity.kind === "phone") return value.slice(0, 3) + "****" + value.slice(7);
    if (identity.kind === "id_number") {
      return value.slice(0, 4) + "*".repeat(value.length - 8) + value.slice(-4);
    }
    return value;
  }
  // HH:MM in the hall's time zone, as the server writes a slot (slot_local).
  function hallClockTime(isoMoment) {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: HALLQ.hall.time_zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(new Date(isoMoment));
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // ---- screens -------------------------------------------------------------------------
  function show(screen) {
    if (outOfService && screen !== "out-of-service") return;
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
      var tile = button(named(department), "tile", function () {
        if (hallClosed()) return;
        state.department = department;
        state.searching = false;
        renderServices();
        show("services");
        loadFigures();
      });
      tile.disabled = hallClosed() && !outOfService;
      grid.appendChild(tile);
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
      var figures = figuresByService[service.id];
      var refusal = refusalOf(service);
      if (refusal) {
        // Issuing would refuse it now: it cannot be tapped, and says why. A closed hall says
        // so once, in the banner, not on every button.
        element.disabled = true;
        element.classList.add("refused");
        element.dataset.refusal = refusal.code;
        if (refusal.code === "daily_quota_reached") element.classList.add("fully-booked");
        var reason = refusalLine(figures);
        if (reason) {
          var why = document.createElement("span");
          why.className = "service-refused";
          why.textContent = reason;
          element.appendChild(why);
        }
      } else if (figures) {
        var line = document.createElement("span");
        line.className = "service-ahead";
        line.textContent = fill(T.ahead_count, { n: figures.people_ahead });
        element.appendChild(line);
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
    if (hallClosed()) return;
    state.department = null;
    state.searching = true;
    setQuery("");
    show("services");
    loadFigures();
  }

  // The refusal issuing would give for the service now, as the last figures said (the hall's
  // own when it is closed); null while it may be taken. Issuing still has the last word.
  function refusalOf(service) {
    if (hallClosed()) return hallIssuing.refusal;
    var figures = figuresByService[service.id];
    return figures && figures.refusal ? figures.refusal : null;
  }

  function hallClosed() { return Boolean(hallIssuing.refusal); }

  function refusalLine(figures) {
    var refusal = figures && figures.refusal;
    if (!refusal || hallClosed() || refusal.code === "hall_closed") return "";
    if (refusal.code === "daily_quota_reached") return T.fully_booked_today;
    if (refusal.code === "outside_issuing_hours") {
      return window.HallqHours.serviceHours(
        T, figures.issuing_hours, HALLQ.hall.time_zone, figuresReadAt || new Date()
      ) || T.not_issuing_now;
    }
    return (T.refusals[refusal.code] || T.refusals.error).title;
  }

  // The hall gives no tickets now: said once above the screen, and nothing to tap meanwhile.
  function renderHallBanner() {
    var closed = hallClosed() && !outOfService;
    var banner = $("hall-banner");
    banner.hidden = !closed;
    banner.dataset.refusal = closed ? hallIssuing.refusal.code : "";
    document.body.classList.toggle("hall-closed", closed);
    if (closed) {
      var text = T.refusals[hallIssuing.refusal.code] || T.refusals.error;
      $("hall-banner-title").textContent = text.title;
      var lines = window.HallqHours.hallLines(
        T, LOCALE, hallIssuing.opening_hours, HALLQ.hall.time_zone, figuresReadAt || new Date());
      $("hall-banner-hours").textContent = lines.join(" · ");
      $("hall-banner-hours").hidden = !lines.length;
    }
    document.querySelectorAll("#departments .tile").forEach(function (tile) {
      tile.disabled = closed;
    });
    $("open-search").disabled = closed;
    $("open-booking").disabled = closed;
  }

  // What each service's button says, fresh from the server; its answer also says how the
  // server sees this kiosk's printer, and a 401 that the kiosk's token is no longer valid.
  function loadFigures() {
    clearTimeout(figuresTimer);
    if (outOfService) return;
    figuresAskedAt = Date.now();
    api("GET", "/kiosk/service-figures.json").then(function (answer) {
      if (!answer.ok) return;
      figuresByService = {};
      answer.data.services.forEach(function (entry) { figuresByService[entry.service_id] = entry; });
      hallIssuing = answer.data.hall || { refusal: null, opening_hours: null };
      figuresReadAt = answer.data.now ? new Date(answer.data.now) : null;
      setPrinterStatus(answer.data.printer_status);
      renderHallBanner();
      if (state.screen === "services") renderServices();
    }).catch(function () { /* the live connection's offline notice covers this */ });
    figuresTimer = setTimeout(loadFigures, FIGURES_EVERY_MS);
  }

  // ---- identification ------------------------------------------------------------------
  function chooseService(service) {
    if (refusalOf(service)) return; // a tap on a greyed-out button asks nothing
    state.service = service;
    state.serviceChosen = true;
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
    if (kind === "code") {
      openBooking();
      return;
    }
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

  // ---- appointments and pre-reviews ----------------------------------------------------
  function mayUse(kind) { return POLICY.identify_by.indexOf(kind) !== -1; }

  function openBooking() {
    if (hallClosed() && state.screen === "start") return;
    state.entry = "";
    scanBuffer = "";
    $("booking-hint").textContent = mayUse("id_card") ? T.booking_hint_with_id_card : T.booking_hint;
    $("booking-continue").disabled = false;
    renderBookingEntry();
    show("booking");
  }

  function renderCodePad() {
    var pad = $("code-pad");
    "1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ-".split("").forEach(function (key) {
      pad.appendChild(button(key, "key", function () {
        if (state.entry.length >= 40) return;
        state.entry += key;
        renderBookingEntry();
      }));
    });
    pad.appendChild(button(T.delete, "key wide", function () {
      state.entry = state.entry.slice(0, -1);
      renderBookingEntry();
    }));
    pad.appendChild(button(T.clear, "key wide", function () {
      state.entry = "";
      renderBookingEntry();
    }));
  }

  function renderBookingEntry() {
    $("booking-value").textContent = state.entry;
    $("booking-error").hidden = true;
  }

  function acceptBookingEntry() {
    var value = state.entry.trim().toUpperCase();
    if (!value) {
      $("booking-error").textContent = T.booking_enter_code;
      $("booking-error").hidden = false;
      return;
    }
    checkBooking(value, false);
  }

  // What the visitor brings: an ID card (18 characters) or any other code.
  function checkBooking(value, scanned) {
    var byIdCard = ID_NUMBER.test(value.toUpperCase()) && mayUse("id_card");
    state.identity = byIdCard
      ? { kind: "id_number", value: value.toUpperCase() }
      : { kind: "code", value: value, scanned: scanned };
    state.bookingFlow = true;
    var body = byIdCard ? { id_number: state.identity.value } : { code: value };
    $("booking-continue").disabled = true;
    $("booking-value").textContent = byIdCard ? maskedIdentity(state.identity) : value;
    $("booking-error").textContent = T.booking_checking;
    $("booking-error").hidden = false;
    api("POST", "/kiosk/preview.json", body).then(function (answer) {
      $("booking-continue").disabled = false;
      if (state.screen !== "booking" && state.screen !== "identify" &&
          state.screen !== "start") return;
      $("booking-error").hidden = true;
      if (answer.status === 503) {
        refuse("server_busy", function () {
          show("booking");
          checkBooking(value, scanned);
        });
        return;
      }
      if (!answer.ok) {
        refuse(refusalCode(answer));
        return;
      }
      state.service = answer.data.service;
      confirm(answer.data);
    }).catch(function () {
      $("booking-continue").disabled = false;
      refuse("kiosk_offline", function () {
        show("booking");
        checkBooking(value, scanned);
      });
    });
  }

  function refusalCode(answer) {
    var code = answer.data && answer.data.error ? answer.data.error.code : "error";
    if (code === "not_found" && state.identity && state.identity.kind === "code") {
      return "code_not_recognised";
    }
    return code;
  }

  // One line naming what was found, and one saying what it means for the visitor's turn.
  function bookingFacts(booking) {
    var what;
    if (booking.kind === "appointment") {
      what = fill(T.booking_appointment, { time: booking.slot_local });
    } else if (booking.pre_review_result === "passed") {
      what = T.booking_pre_review_passed;
    } else {
      what = T.booking_pre_review_to_correct;
    }
    return booking.applicant_name ? what + " · " + booking.applicant_name : what;
  }

  function bookingNote(booking) {
    var values = { time: booking.slot_local, grace: booking.grace_minutes };
    var notes = [];
    if (booking.kind === "appointment") {
      if (booking.punctuality === "early") notes.push(fill(T.note_early, values));
      else if (booking.punctuality === "on_time") notes.push(T.note_on_time);
      else notes.push(fill(T.note_too_late, values));
      if (booking.punctuality === "too_late" && booking.visitor_class === "pre_reviewed") {
        notes.push(T.note_pre_review_passed);
      }
    } else if (booking.pre_review_result === "passed") {
      notes.push(T.note_pre_review_passed);
    } else {
      notes.push(T.note_pre_review_to_correct);
    }
    return notes.join(" ");
  }

  function renderBooking() {
    var booking = state.booking;
    $("confirm-booking-label").hidden = !booking;
    $("confirm-booking").hidden = !booking;
    $("confirm-booking-note").hidden = !booking;
    $("confirm-booking").textContent = booking ? bookingFacts(booking) : "";
    $("confirm-booking-note").textContent = booking ? bookingNote(booking) : "";
    var note = $("confirm-booking-note");
    note.dataset.punctuality = booking && booking.punctuality ? booking.punctuality : "";
  }

  // After issuing, the ticket is the truth: its class (the slot may have passed meanwhile) and
  // its own slot (the booking may have moved since the preview).
  function ticketBookingNote(ticket) {
    var booking = state.booking;
    if (!booking || booking.kind !== "appointment") return "";
    if (ticket.visitor_class === "appointment") {
      var due = ticket.appointment_due_at;
      return due && new Date(due) > new Date(ticket.issued_at)
        ? fill(T.ticket_note_early, { time: hallClockTime(due) }) : "";
    }
    if (ticket.visitor_class === "priority") return "";
    return T.ticket_note_lapsed;
  }

  function entryError(message) {
    $("identify-error").textContent = message;
    $("identify-error").hidden = false;
  }

  // Card readers and code scanners type like a keyboard and end with Enter. On the start and
  // booking screens what they type is a booking: a code, or an ID card to find one by.
  function onScannerKey(event) {
    var screen = state.screen;
    var bookingScreen = screen === "booking" || (screen === "start" && bookingsOffered());
    if (screen !== "identify" && !bookingScreen) return;
    if (event.key === "Enter") {
      var scanned = scanBuffer.trim();
      scanBuffer = "";
      if (!scanned) {
        if (screen === "booking") acceptBookingEntry();
        else if (state.entryKind === "phone" || state.entryKind === "id_card") acceptEntry();
        return;
      }
      event.preventDefault();
      if (bookingScreen) {
        checkBooking(scanned, true);
      } else if (ID_NUMBER.test(scanned.toUpperCase())) {
        state.identity = { kind: "id_number", value: scanned.toUpperCase() };
        confirm();
      } else if (PHONE.test(scanned) && state.entryKind === "phone") {
        state.identity = { kind: "phone", value: scanned };
        confirm();
      } else {
        checkBooking(scanned, true);
      }
    } else if (event.key && event.key.length === 1) {
      scanBuffer += event.key;
    }
  }

  function bookingsOffered() { return mayUse("code") || mayUse("id_card"); }

  // ---- confirmation and issuing --------------------------------------------------------
  // `checked` is the preview the booking check already fetched; otherwise it is fetched here.
  function confirm(checked) {
    state.issueKey = newKey(); // one key per confirmation: a double tap issues one ticket
    state.preview = null;
    state.booking = null;
    $("confirm-service").textContent = named(state.service);
    $("confirm-ahead").textContent = "…";
    $("confirm-wait").textContent = "…";
    var identified = Boolean(state.identity);
    $("confirm-identity-label").hidden = !identified;
    $("confirm-identity").hidden = !identified;
    if (identified) {
      var shown = maskedIdentity(state.identity);
      $("confirm-identity").textContent = state.identity.kind !== "code" ? shown
        : fill(state.identity.scanned ? T.code_scanned : T.code_entered, { code: shown });
    }
    renderBooking();
    $("take-ticket").disabled = false;
    show("confirm");
    if (checked) {
      showPreview(checked);
      return;
    }
    var request = state.identity && state.identity.kind === "id_number"
      // The ID card may find a booking for this service; POST keeps the number out of URLs.
      ? api("POST", "/kiosk/preview.json",
        { service_id: state.service.id, id_number: state.identity.value })
      : api("GET", "/kiosk/preview.json?service_id=" + state.service.id);
    request.then(function (answer) {
      if (state.screen !== "confirm") return;
      if (!answer.ok) {
        if (answer.status === 409) refuse(refusalCode(answer)); // e.g. pre-review in use
        return;
      }
      showPreview(answer.data);
    }).catch(function () { /* the issue request reports a lost connection */ });
  }

  function showPreview(preview) {
    state.preview = preview;
    state.booking = preview.booking || null;
    renderBooking();
    if (preview.refusal) {
      refuse(preview.refusal.code);
      return;
    }
    $("confirm-ahead").textContent = String(preview.people_ahead);
    $("confirm-wait").textContent = waitText(preview.estimated_wait);
  }

  // The one issue endpoint checks a booking in: its code rides along as booking_code or
  // prereview_code (an ID card as id_number). A retry after a lost answer reuses the
  // Idempotency-Key, so the server hands back the same ticket rather than a second one.
  function takeTicket() {
    $("take-ticket").disabled = true;
    var body = { service_id: state.service.id };
    var identity = state.identity;
    if (identity && identity.kind === "phone") body.phone = identity.value;
    if (identity && identity.kind === "id_number") body.id_number = identity.value;
    if (identity && identity.kind === "code") {
      var field = state.booking ? state.booking.issue_field : null;
      if (field !== "booking_code" && field !== "prereview_code") {
        refuse("code_not_recognised");
        return;
      }
      body[field] = identity.value;
    }
    api("POST", "/api/v1/halls/" + KIOSK.hall_id + "/tickets", body,
      { "Idempotency-Key": state.issueKey }).then(function (answer) {
      if (answer.ok) {
        state.identity = null; // nothing personal stays in the page once the ticket exists
        showTicket(answer.data);
        return;
      }
      if (answer.status === 503) {
        // The server's database is away for a moment: nothing was issued, and the same key
        // makes a retry safe.
        refuse("server_busy", function () {
          show("confirm");
          takeTicket();
        });
        return;
      }
      refuse(refusalCode(answer));
    }).catch(function () {
      refuse("kiosk_offline", function () {
        show("confirm");
        takeTicket();
      });
    });
  }

  var BOOKING_REFUSALS = [
    "code_not_recognised", "booking_cancelled", "booking_not_today", "pre_review_cancelled",
    "pre_review_expired", "no_booking_for_id_card",
  ];

  // `retry`, when given, is offered as "Try again" (the same request, the same key).
  function refuse(code, retry) {
    var texts = T.refusals[code] || T.refusals.error;
    $("refusal-title").textContent = texts.title;
    $("refusal-advice").textContent = texts.advice;
    $("screen-refusal").dataset.code = code;
    var ordinary = BOOKING_REFUSALS.indexOf(code) !== -1;
    $("refusal-ordinary").hidden = !ordinary;
    if (state.bookingFlow && !state.serviceChosen) {
      $("refusal-ordinary").textContent = T.take_ordinary_ticket;
    } else {
      $("refusal-ordinary").textContent =
        POLICY.identification === "required" ? T.identify_other_way : T.identify_skip;
    }
    state.retry = retry || null;
    $("refusal-retry").hidden = !retry;
    show("refusal");
  }

  function takeOrdinaryTicket() {
    state.identity = null;
    state.booking = null;
    state.bookingFlow = false;
    if (!state.serviceChosen) {
      show("start"); // no service chosen yet: the visitor picks one as anyone does
    } else if (POLICY.identification === "required") {
      openIdentify();
    } else {
      confirm();
    }
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
    var tags = { appointment: T.tag_appointment, pre_reviewed: T.tag_pre_reviewed,
      priority: T.tag_priority };
    $("ticket-tag").hidden = !tags[ticket.visitor_class];
    $("ticket-tag").textContent = tags[ticket.visitor_class] || "";
    $("ticket-tag").dataset.visitorClass = ticket.visitor_class;
    var note = ticketBookingNote(ticket);
    $("ticket-booking-note").hidden = !note;
    $("ticket-booking-note").textContent = note;
    $("ticket-ahead").textContent = ticket.people_ahead === null ? "–" : String(ticket.people_ahead);
    $("ticket-wait").textContent = waitText(ticket.estimated_wait);
    $("ticket-qr").src = "/kiosk/qr/" + encodeURIComponent(ticket.status_token) + ".svg";
    show("ticket");
    if (state.job) watchPrintJob(Date.now());
    else renderPrintStatus("none");
  }

  function printerBelievedOk() { return PRINTER_BELIEVED_OK.indexOf(printerStatus) !== -1; }

  function watchPrintJob(startedAt) {
    clearTimeout(printPoll);
    // A printer known to be out of paper or offline, one whose agent has fallen silent, or a
    // kiosk whose print agent never reported: nothing will come out, so say at once that the
    // ticket is on screen and on the phone rather than keep the visitor waiting for 20 s.
    // Keep watching, though: should the printer come back meanwhile, it prints what it owes
    // and the screen says so.
    state.printGaveUp = !printerBelievedOk();
    renderPrintStatus(state.printGaveUp ? "failed" : "pending");
    function poll() {
      if (!state.job || state.screen !== "ticket" || outOfService) return;
      api("GET", "/api/v1/print-jobs/" + state.job.id).then(function (answer) {
        if (!state.job || state.screen !== "ticket" || outOfService) return;
        if (answer.ok) state.job = answer.data;
        if (state.job.status === "pending") {
          if (state.printGaveUp) {
            printPoll = setTimeout(poll, PRINT_POLL_MS);
            return;
          }
          if (Date.now() - startedAt > PRINT_GIVE_UP_MS) {
            state.printGaveUp = true;
            renderPrintStatus("failed");
            return;
          }
          printPoll = setTimeout(poll, PRINT_POLL_MS);
          return;
        }
        state.printGaveUp = false; // the job has its own answer now
        renderPrintStatus(state.job.status);
      }).catch(function () { printPoll = setTimeout(poll, PRINT_POLL_MS * 3); });
    }
    printPoll = setTimeout(poll, PRINT_POLL_MS / 2);
  }

  function failureReason() {
    var error = (state.job && state.job.error) || "";
    var status = printerStatus;
    if (state.printGaveUp) {
      if (!status) return T.print_reason_no_printer;
      if (status === "paper_out") return T.print_reason_paper_out;
      if (status === "offline") return T.print_reason_offline;
      return T.print_reason_no_answer;
    }
    if (error.indexOf("paper") !== -1 || status === "paper_out") return T.print_reason_paper_out;
    if (error.indexOf("offline") !== -1 || error.indexOf("unavailable") !== -1 ||
        status === "offline") return T.print_reason_offline;
    if (status === "unknown") return T.print_reason_no_answer;
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
      $("print-again").hidden = !printerStatus; // no printer here to print again on
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
  // "unknown": the server heard nothing from the kiosk's print agent for the hall's
  // device-offline time; the agent's next report ("ok") takes the banner away.
  // "none": no print agent has ever reported from this kiosk.
  var PRINTER_BANNERS = {
    paper_out: T.printer_paper_out, offline: T.printer_offline, unknown: T.printer_unknown,
    none: T.printer_none,
  };

  function renderPrinterBanner() {
    var banner = $("printer-banner");
    var status = printerStatus || "none";
    var text = outOfService ? "" : PRINTER_BANNERS[status] || "";
    banner.textContent = text;
    banner.hidden = !text;
    banner.dataset.status = status;
    document.body.classList.toggle("printer-fault", Boolean(text));
  }

  function setPrinterStatus(status) {
    if (status === printerStatus) return;
    printerStatus = status;
    renderPrinterBanner();
  }

  // ---- out of service ------------------------------------------------------------------
  // The server refuses this kiosk's token (a manager revoked it): whatever a visitor does
  // here would fail, so the screen says to go elsewhere and tells staff why, for good (the
  // page reloaded says the same). Nothing more is asked of the server. A visitor whose ticket
  // is on screen keeps it (it is valid) until they are done with it, or the idle time ends it.
  function goOutOfService() {
    if (outOfService) return;
    outOfService = true;
    clearTimeout(figuresTimer);
    clearTimeout(printPoll);
    if (live && live.socket) live.socket.disconnect();
    document.body.classList.remove("offline");
    renderPrinterBanner();
    renderHallBanner();
    if (state.screen === "ticket") {
      if (state.job && state.job.status === "pending") renderPrintStatus("none");
      return;
    }
    showOutOfService();
  }

  function showOutOfService() {
    clearTimeout(idleTimer);
    state = freshState();
    document.body.classList.add("out-of-service");
    show("out-of-service");
  }

  // The live connection was refused: perhaps a passing fault, perhaps the token. A call that
  // carries the token tells which.
  function checkTokenAfterRefusal() {
    if (outOfService || Date.now() - figuresAskedAt < FIGURES_AFTER_REFUSAL_MS) return;
    loadFigures();
  }

  // ---- start, idle and live ------------------------------------------------------------
  function backToStart() {
    if (outOfService) {
      showOutOfService();
      return;
    }
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
    if (outOfService && state.screen !== "ticket") return;
    lastActivityAt = Date.now();
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
    // The server's view of this kiosk's printer, in case a device.changed was missed.
    if (snapshot.device && snapshot.device.id === KIOSK.device_id) {
      setPrinterStatus(snapshot.device.printer_status);
    }
  }

  var live = null;

  function startLive() {
    if (!window.HallLive) return;
    live = new window.HallLive({ token: TOKEN, hallId: KIOSK.hall_id });
    window.hallqKioskLive = live; // for the browser's console (and the tests)
    live.on("snapshot", applySnapshot);
    // Upgraded pages: reload on the start screen once nobody has touched it for 15 s.
    live.reloadWhenUpdated(function () {
      return state.screen === "start" && Date.now() - lastActivityAt > 15000;
    });
    live.on("device.changed", function (message) {
      if (message.device && message.device.id === KIOSK.device_id) {
        setPrinterStatus(message.device.printer_status);
      }
    });
    live.on("connect_error", checkTokenAfterRefusal);
    live.on("device.revoked", goOutOfService);
    live.on("online", function () { document.body.classList.remove("offline"); });
    live.on("offline", function () {
      if (!outOfService) document.body.classList.add("offline");
    });
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
    $("open-booking").addEventListener("click", openBooking);
    $("booking-continue").addEventListener("click", acceptBookingEntry);
    $("refusal-retry").addEventListener("click", function () {
      var retry = state.retry;
      state.retry = null;
      if (retry) retry();
    });
    $("take-ticket").addEventListener("click", takeTicket);
    $("print-again").addEventListener("click", printAgain);
    $("on-screen-only").addEventListener("click", onScreenOnly);
    $("refusal-ordinary").addEventListener("click", takeOrdinaryTicket);
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
          if (state.bookingFlow) openBooking();
          else if (POLICY.identification === "off") show("services");
          else openIdentify();
        } else if (action === "back-from-booking") {
          state.bookingFlow = false;
          state.identity = null;
          if (state.serviceChosen) openIdentify();
          else backToStart();
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
  renderCodePad();
  $("open-booking").hidden = !bookingsOffered();
  renderPrinterBanner();
  loadCatalogue();
  loadFigures();
  startLive();
  restartIdleTimer();
  show("start");
  window.HallqKiosk = { state: function () { return state; } };
})();
