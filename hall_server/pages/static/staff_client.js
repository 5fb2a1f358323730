// HallqStaffClient: how the staff pages (counter, manager) call the API and show refusals.
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

  HallqStaffClient.prototype.refusalText = function (error) {
    var known = this.refusals[error.code] || this.refusals.error;
    return error.message && error.message !== known ? known + " — " + error.message : known;
  };

  HallqStaffClient.prototype.showMessage = function (text, kind) {
    var box = this.messageBox();
    clearTimeout(this.messageTimer);
    box.textContent = text;
    box.className = "message " + (kind || "info");
    box.dataset.kind = kind || "info";
    box.hidden = false;
    if (kind === "ok") this.messageTimer = setTimeout(function () { box.hidden = true; }, 5000);
  };

  HallqStaffClient.prototype.showRefusal = function (error) {
    this.showMessage(this.refusalText(error), "error");
    this.messageBox().dataset.code = error.code;
  };

  global.HallqStaffClient = HallqStaffClient;
})(window);
