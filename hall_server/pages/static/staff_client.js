// HallqStaffClient: how the staff pages (counter, manager) call the API and show refusals;
// HallqHallClock: how they show a time, always on the hall's clock.
// Every answer becomes {ok, status, data|blob|error}; a network failure is {code: "network"};
// a 401 on a logged-in page hands over to the page's own "log in again".
(function (global) {
  "use strict";

  function HallqStaffClient(options) {
    this.token = options.token; // function () -> the bearer token or null
    this.onUnauthorized = options.onUnauthorized || function () {};
    this.refusals = options.refusals || {};
    this.messageBox = options.messageBox; // function () -> the message element
    this.extraHeaders = options.extraHeaders || function () { return {}; };
    this.messageTimer = null;
  }

  HallqStaffClient.prototype.request = function (method, path, body, options) {
    options = options || {};
    var self = this;
    var token = self.token();
    // options.headers: the caller's own, e.g. an Idempotency-Key kept for a retry.
    var headers = Object.assign(
      { Accept: "application/json" }, self.extraHeaders(method, path), options.headers || {});
    if (token) headers.Authorization = "Bearer " + token;
    var payload;
    if (typeof FormData !== "undefined" && body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return fetch("/api/v1" + path, {
      method: method, headers: headers, body: payload, credentials: "same-origin",
    }).then(function (response) {
      if (response.ok && options.blob) {
        return response.blob().then(function (blob) {
          return { ok: true, status: response.status, blob: blob, response: response };
        });
      }
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
        if (response.ok) return { ok: true, status: response.status, data: data };
        var detail = (data && data.error) || { code: "error", message: response.statusText };
        if (response.status === 401 && token && path !== "/auth/login") self.onUnauthorized();
        return { ok: false, status: response.status, error: detail };
      });
    }, function (error) {
      return { ok: false, status: 0, error: { code: "network", message: String(error) } };
    });
  };

  // `refusals` (optional) words some codes for what was refused, e.g. a window's change
  // rather than a ticket's; the page's own words stand for the rest. A network failure has no
  // reason from the server (only the browser's own words, in English): the page's words alone.
  HallqStaffClient.prototype.refusalText = function (error, refusals) {
    var known = (refusals && refusals[error.code]) || this.refusals[error.code] || this.refusals.error;
    return joinRefusal(known, error.code === "network" ? "" : error.message);
  };

  HallqStaffClient.prototype.showMessage = function (text, kind) {
    var box = this.messageBox();
    clearTimeout(this.messageTimer);
    box.textContent = text;
    box.className = "message " + (kind || "info");
    box.dataset.kind = kind || "info";
    delete box.dataset.code; // a refusal's code belongs to that refusal only
    box.hidden = false;
    if (kind === "ok") this.messageTimer = setTimeout(function () { box.hidden = true; }, 5000);
  };

  HallqStaffClient.prototype.showRefusal = function (error, refusals) {
    this.showMessage(this.refusalText(error, refusals), "error");
    this.messageBox().dataset.code = error.code;
  };

  // ----- refusals in words -----

  var CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

  function plainWords(text) {
    return String(text || "").trim().replace(/[\s.。!！?？;；,，:：、]+$/, "").toLowerCase();
  }

  // A reason as a sentence of its own: the server's English starts in lower case and ends
  // without a stop ("no ticket ZZ9 today in this hall"); Chinese ends with 。.
  function sentence(text) {
    text = String(text || "").trim();
    if (!text) return "";
    // A first word that is a plain word, not a field's name (daily_quota) or a code.
    if (/^[a-z]+\b/.test(text)) text = text.charAt(0).toUpperCase() + text.slice(1);
    if (!/[.。!！?？…]$/.test(text)) text += CJK.test(text) ? "。" : ".";
    return text;
  }

  // One message: the page's summary of what happened, then the server's reason for it. The
  // reason alone where it begins with what the summary says ("窗口已暂停" and "窗口已暂停，请先
  // 恢复再叫号"); the summary alone where there is no reason or it says the same.
  function joinRefusal(known, message) {
    var summary = sentence(known), reason = sentence(message);
    var said = plainWords(known), why = plainWords(message);
    if (!why || why === said) return summary;
    if (!said || why.indexOf(said) === 0) return reason;
    return summary + (CJK.test(summary.slice(-1)) ? "" : " ") + reason;
  }

  HallqStaffClient.joinRefusal = joinRefusal;

  // ----- the hall's clock -----

  // A staff screen's own clock may run on any zone (a hall's PC is often left on UTC): every
  // time a person reads on a staff page is the hall's, from the hall's `time_zone`.
  var formats = {};

  function hallParts(moment, timeZone) {
    var at = moment instanceof Date ? moment : new Date(moment);
    if (!timeZone || isNaN(at.getTime())) return null;
    var format = formats[timeZone];
    if (!format) {
      try {
        format = new Intl.DateTimeFormat("en-GB", {
          timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
          hour: "2-digit", minute: "2-digit",
        });
      } catch (error) {
        return null; // not a zone this browser knows: better no time than a wrong one
      }
      formats[timeZone] = format;
    }
    var parts = {};
    format.formatToParts(at).forEach(function (part) { parts[part.type] = part.value; });
    return parts;
  }

  global.HallqHallClock = {
    // "10:29" in the hall; "" while the hall's zone is not known yet.
    time: function (moment, timeZone) {
      var parts = hallParts(moment, timeZone);
      return parts ? parts.hour + ":" + parts.minute : "";
    },
    // "2026-11-30", the hall's calendar day of `moment`.
    date: function (moment, timeZone) {
      var parts = hallParts(moment, timeZone);
      return parts ? parts.year + "-" + parts.month + "-" + parts.day : "";
    },
  };

  global.HallqStaffClient = HallqStaffClient;
})(window);
