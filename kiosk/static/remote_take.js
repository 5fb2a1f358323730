// Taking a ticket on a phone (线上取号): the hall's services with the people a ticket taken now
// would have ahead and the wait, a mobile number, one API call, then the ticket's status page.
// A retry of the same try (a double tap, a lost answer) sends the same Idempotency-Key, so it
// never makes two tickets. A service issuing would refuse now cannot be tapped and says why
// (outside its issuing hours: those hours); a closed hall says so once, with its hours; both
// follow the offer read again every half minute.
(function () {
  "use strict";

  var HALLQ = window.HALLQ;
  var T = HALLQ.text;
  var LOCALE = HALLQ.locale;
  var HALL_CODE = HALLQ.hallCode;
  var offer = HALLQ.offer;
  var HOURS = HALLQ.hours || { time_zone: "Asia/Shanghai", opening_hours: null, services: {} };
  var chosen = null; // the service the form is for
  var attempt = null; // { key, body } of the last try, reused while the body is the same
  var taking = false;
  var REFRESH_MS = 30000;
  var MOBILE = /^1[3-9][0-9]{9}$/;

  function $(id) { return document.getElementById(id); }
  var fill = window.HallqWaitText.fill;
  function named(item) { return LOCALE === "en" && item.name_en ? item.name_en : item.name; }
  function waitText(estimate) { return window.HallqWaitText.waitText(T, estimate); }
  function refusalText(refusal) {
    return T.refusals[refusal.code] || { title: refusal.message || T.refusals.error.title, advice: "" };
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function digitsOf(raw) {
    var digits = raw.normalize("NFKC").replace(/[\s\-()]/g, "").replace(/^(\+86|0086)/, "");
    if (digits.length === 13 && digits.indexOf("86") === 0) digits = digits.slice(2);
    return digits;
  }
  function apiPath(suffix) {
    return "/api/v1/remote/halls/" + encodeURIComponent(HALL_CODE) + suffix + "?lang=" + LOCALE;
  }

  function serviceButton(service) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "take-service";
    button.dataset.serviceId = service.service_id;
    var name = document.createElement("span");
    name.className = "take-service-name";
    name.textContent = named(service);
    var facts = document.createElement("span");
    facts.className = "take-service-facts";
    // The people a ticket taken now has ahead (other services' visitors at shared windows
    // too), as its status page will count them: not the service's own waiting count.
    facts.textContent = fill(T.ahead_count, { n: service.people_ahead }) + " · " +
      T.estimated_wait + " " + waitText(service.estimated_wait_for_new_ticket);
    button.appendChild(name);
    // A service that gives no ticket now says why instead (as on the kiosk): a wait for a
    // ticket nobody can take would mislead.
    if (!service.refusal) button.appendChild(facts);
    if (service.refusal) {
      var why = document.createElement("span");
      why.className = "take-service-refusal";
      why.textContent = refusalLine(service);
      button.appendChild(why);
      button.disabled = true;
      button.dataset.refusal = service.refusal.code;
    }
    button.addEventListener("click", function () {
      if (!service.refusal) openForm(service); // a greyed-out button asks nothing
    });
    return button;
  }

  function refusalLine(service) {
    if (service.refusal.code === "outside_issuing_hours") {
      var hours = window.HallqHours.serviceHours(
        T, HOURS.services[String(service.service_id)], HOURS.time_zone, new Date());
      if (hours) return hours;
    }
    return refusalText(service.refusal).title;
  }

  function renderOffer() {
    var refusal = offer.refusal;
    // Every service outside its issuing hours: the list says each one's hours, which one
    // notice for the whole page could not.
    if (refusal && refusal.code === "outside_issuing_hours" && offer.services.length) {
      refusal = null;
    }
    $("take-refusal").hidden = !refusal;
    if (refusal) {
      var text = refusalText(refusal);
      $("take-refusal-title").textContent = text.title;
      $("take-refusal-advice").textContent = text.advice;
      // A closed hall: its hours today and when tickets are given again.
      var lines = refusal.code === "hall_closed" ? window.HallqHours.hallLines(
        T, LOCALE, HOURS.opening_hours, HOURS.time_zone, new Date()) : [];
      $("take-refusal-hours").textContent = lines.join("\n");
      $("take-refusal-hours").hidden = !lines.length;
      $("take-list").hidden = true;
      $("take-form").hidden = true;
      chosen = null;
      return;
    }
    var list = $("take-services");
    list.textContent = "";
    var department = null;
    offer.services.forEach(function (service) {
      if (!department || department.id !== service.department.id) {
        department = service.department;
        var heading = document.createElement("h3");
        heading.className = "take-department";
        heading.textContent = named(department);
        list.appendChild(heading);
      }
      list.appendChild(serviceButton(service));
    });
    if (chosen) {
      var fresh = offer.services.filter(function (s) { return s.service_id === chosen.service_id; })[0];
      if (fresh) { chosen = fresh; showChosen(); }
    }
    $("take-list").hidden = chosen !== null;
  }

  function showChosen() {
    $("take-service-name").textContent = named(chosen);
    $("take-ahead").textContent = chosen.people_ahead;
    $("take-wait").textContent = waitText(chosen.estimated_wait_for_new_ticket);
  }

  function showError(text) {
    $("take-error-title").textContent = text.title;
    $("take-error-advice").textContent = text.advice;
    $("take-error").hidden = false;
  }

  function openForm(service) {
    chosen = service;
    showChosen();
    $("take-error").hidden = true;
    $("take-list").hidden = true;
    $("take-form").hidden = false;
    $("take-phone").focus();
  }

  function closeForm() {
    chosen = null;
    $("take-form").hidden = true;
    $("take-list").hidden = false;
    refresh();
  }

  function take(event) {
    event.preventDefault();
    if (taking || !chosen) return;
    var phone = digitsOf($("take-phone").value);
    if (!phone) { showError(T.refusals.phone_missing); return; }
    if (!MOBILE.test(phone)) { showError(T.refusals.invalid_phone); return; }
    var body = JSON.stringify({ service_id: chosen.service_id, phone: phone });
    if (!attempt || attempt.body !== body) attempt = { key: newKey(), body: body };
    taking = true;
    $("take-error").hidden = true;
    $("take-submit").disabled = true;
    $("take-submit").textContent = T.taking;
    fetch(apiPath("/tickets"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": attempt.key },
      body: attempt.body,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (answer) {
      if (answer.status === 201) {
        window.location.assign("/t/" + encodeURIComponent(answer.data.status_token) +
          (LOCALE === "zh" ? "" : "?lang=" + LOCALE));
        return;
      }
      var code = answer.status === 429 ? "too_many_requests" : (answer.data.error || {}).code;
      showError(refusalText({ code: code || "error", message: (answer.data.error || {}).message }));
      attempt = null; // refused: nothing was issued, a new try is a new request
      done();
      refresh();
    }).catch(function () {
      // The answer was lost, not necessarily the ticket: trying again keeps the same key.
      showError(T.refusals.offline);
      done();
    });
  }

  function done() {
    taking = false;
    $("take-submit").disabled = false;
    $("take-submit").textContent = T.take;
  }

  function refresh() {
    fetch(apiPath(""), { headers: { Accept: "application/json" } }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { offer = data; renderOffer(); }
    }).catch(function () { /* the next refresh tries again */ });
  }

  $("take-form").addEventListener("submit", take);
  $("take-back").addEventListener("click", closeForm);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  setInterval(function () { if (!document.hidden && !taking) refresh(); }, REFRESH_MS);
  renderOffer();
})();
