// What the lobby board and the window display share: labels in one or two languages, name
// masking, the hall's clock, settings that a manager may change live, and the live connection.
(function (global) {
  "use strict";

  var config = global.HALLQ_DISPLAY;
  var text = (global.HALLQ && global.HALLQ.text) || { primary: {}, secondary: null };

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && values[name] !== undefined && values[name] !== null ? values[name] : whole;
    });
  }

  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Same rule as hall_server/core/privacy.py: 张三 -> 张*, 张小明 -> 张*明. Names arrive masked
  // already; masking again costs nothing and keeps a full name off the screen if one slipped.
  function maskName(name) {
    var chars = Array.from(String(name || "").trim());
    if (chars.length <= 1) return chars.join("");
    if (chars.length === 2) return chars[0] + "*";
    return chars[0] + "*".repeat(chars.length - 2) + chars[chars.length - 1];
  }

  function english() {
    return Boolean(HallDisplay.settings.english) && Boolean(text.secondary);
  }

  // HTML for a label: the page's language, and English beneath when the screen shows both.
  function label(key, values) {
    var html = '<span class="primary">' + escapeHtml(fill(text.primary[key] || key, values)) + "</span>";
    if (english() && text.secondary[key]) {
      html += '<span class="secondary" lang="en">' + escapeHtml(fill(text.secondary[key], values)) + "</span>";
    }
    return html;
  }

  // A Chinese name with its English one beneath (services, windows, the hall).
  function names(name, nameEn) {
    var html = '<span class="primary">' + escapeHtml(config.language === "en" && nameEn ? nameEn : name) + "</span>";
    if (english() && nameEn && config.language !== "en") {
      html += '<span class="secondary" lang="en">' + escapeHtml(nameEn) + "</span>";
    }
    return html;
  }

  function applyLabels(root) {
    (root || document).querySelectorAll("[data-label]").forEach(function (element) {
      element.innerHTML = label(element.dataset.label);
    });
  }

  // The board PC's own clock may be wrong (halls without internet have no time server), so
  // the clock shows the server's time, in the hall's time zone.
  var clockOffsetMs = 0;

  function syncClock(serverTime) {
    var server = Date.parse(serverTime);
    if (!isNaN(server)) clockOffsetMs = server - Date.now();
  }

  function hallNow() {
    return new Date(Date.now() + clockOffsetMs);
  }

  function formatClock(date) {
    var zone = (config.hall && config.hall.time_zone) || "Asia/Shanghai";
    var time = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone,
    }).format(date);
    var dateText = new Intl.DateTimeFormat(config.language === "en" ? "en-GB" : "zh-CN", {
      year: "numeric", month: "long", day: "numeric", weekday: "long", timeZone: zone,
    }).format(date);
    var secondary = "";
    if (english() && config.language !== "en") {
      secondary = new Intl.DateTimeFormat("en-GB", {
        weekday: "long", day: "numeric", month: "long", timeZone: zone,
      }).format(date);
    }
    return { time: time, date: dateText, dateSecondary: secondary };
  }

  function startClock(timeElement, dateElement) {
    function tick() {
      var parts = formatClock(hallNow());
      timeElement.textContent = parts.time;
      dateElement.innerHTML = '<span class="primary">' + escapeHtml(parts.date) + "</span>" +
        (parts.dateSecondary ? '<span class="secondary" lang="en">' + escapeHtml(parts.dateSecondary) + "</span>" : "");
    }
    tick();
    setInterval(tick, 1000);
  }

  // `waiting`: how many wait. With nobody waiting there is no wait to estimate (the server's
  // figure is then only the end of the cases at the windows): the cell shows a dash.
  function estimateText(estimate, openWindows, waiting) {
    if (!estimate || !openWindows) return label("no_window_open");
    if (waiting === 0) return '<span class="primary none">—</span>';
    if (estimate.over_limit) return label("over_limit");
    if (estimate.high_minutes <= 0) return label("no_wait");
    if (estimate.high_minutes === estimate.low_minutes) {
      return label("estimate_point", { minutes: estimate.low_minutes });
    }
    return label("estimate_range", { low: estimate.low_minutes, high: estimate.high_minutes });
  }

  var settingsListeners = [];

  function onSettings(listener) {
    settingsListeners.push(listener);
  }

  function applySettings(settings) {
    HallDisplay.settings = settings;
    document.body.classList.toggle("numbers-only", Boolean(settings.numbers_only));
    document.body.classList.toggle("bilingual", english());
    settingsListeners.forEach(function (listener) {
      try { listener(settings); } catch (error) { console.error(error); }
    });
  }

  // The settings a manager chose may have changed while we were away: fetch them again.
  var settingsRequest = 0;
  function reloadSettings() {
    var request = ++settingsRequest;
    return fetch(config.settings_url, {
      headers: { Authorization: "Bearer " + config.token },
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("settings " + response.status);
        return response.json();
      })
      .then(function (view) {
        if (request === settingsRequest) applySettings(view.effective_settings);
      })
      .catch(function (error) { console.warn("settings not reloaded", error); });
  }

  // The live connection, with the settings kept current and the "offline" notice handled.
  function connect() {
    var live = new global.HallLive({ token: config.token, hallId: config.hall_id });
    var snapshots = 0;
    live.reloadWhenUpdated(); // nobody works at a board: upgraded pages load at once
    live.on("snapshot", function (snapshot) {
      syncClock(snapshot.server_time);
      // The first snapshot comes with the page, whose settings are fresh; later ones follow a
      // reconnect or a gap, after which a settings change may have been missed.
      if (snapshots++ > 0) reloadSettings();
    });
    live.on("device.changed", function (message) {
      if (message.device && message.device.id === config.device_id) reloadSettings();
    });
    live.on("hall.changed", function (message) {
      if (message.hall) config.hall = Object.assign({}, config.hall, message.hall);
      reloadSettings();
    });
    // True once the first snapshot is on screen (tests and the latency bench wait for it).
    global.hallqLiveReady = function () { return snapshots > 0 && live.seq !== null; };
    // Revoked by a manager: the page, loaded again, says so and what to do.
    live.on("device.revoked", function () { global.location.reload(); });
    live.on("online", function () { document.body.classList.remove("offline"); });
    live.on("offline", function () { document.body.classList.add("offline"); });
    return live;
  }

  var HallDisplay = {
    config: config,
    settings: config.settings,
    text: text,
    fill: fill,
    escapeHtml: escapeHtml,
    maskName: maskName,
    label: label,
    names: names,
    english: english,
    applyLabels: applyLabels,
    syncClock: syncClock,
    startClock: startClock,
    estimateText: estimateText,
    onSettings: onSettings,
    applySettings: applySettings,
    reloadSettings: reloadSettings,
    connect: connect,
  };
  global.HallDisplay = HallDisplay;
})(window);
