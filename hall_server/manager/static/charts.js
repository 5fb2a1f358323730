// Small SVG charts for the dashboard, drawn here so halls without internet access still see them:
// a line (waiting through the day) and grouped bars (arrivals against served, the waits).
(function (global) {
  "use strict";

  var WIDTH = 480, HEIGHT = 200, LEFT = 36, RIGHT = 22, TOP = 10, BOTTOM = 28;
  var SVG = "http://www.w3.org/2000/svg";

  function niceMaximum(value) {
    if (value <= 4) return 4;
    var magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * magnitude >= value) return steps[i] * magnitude;
    }
    return 10 * magnitude;
  }

  function element(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function frame(container, maximum, emptyText, isEmpty) {
    var svg = element("svg", { viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img" });
    container.innerHTML = "";
    container.appendChild(svg);
    if (isEmpty) {
      svg.appendChild(element("text", { x: WIDTH / 2, y: HEIGHT / 2, "text-anchor": "middle", class: "empty" }, emptyText));
      return null;
    }
    var top = niceMaximum(maximum);
    for (var i = 0; i <= 4; i++) {
      var y = TOP + (HEIGHT - TOP - BOTTOM) * (1 - i / 4);
      svg.appendChild(element("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, class: i ? "grid-line" : "axis" }));
      svg.appendChild(element("text", { x: LEFT - 4, y: y + 4, "text-anchor": "end" }, String(Math.round(top * i / 4 * 10) / 10)));
    }
    return { svg: svg, top: top };
  }

  function yOf(value, top) { return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top); }

  function xLabels(svg, labels, xOf) {
    var every = Math.max(1, Math.ceil(labels.length / 8));
    labels.forEach(function (label, i) {
      if (i % every) return;
      svg.appendChild(element("text", { x: xOf(i), y: HEIGHT - BOTTOM + 16, "text-anchor": "middle" }, label));
    });
  }

  // points: [{label, value}]
  function line(container, points, emptyText) {
    var maximum = points.reduce(function (m, p) { return Math.max(m, p.value); }, 0);
    var drawn = frame(container, maximum, emptyText, points.length === 0);
    if (!drawn) return;
    var span = WIDTH - LEFT - RIGHT;
    function xOf(i) { return LEFT + (points.length === 1 ? span / 2 : span * i / (points.length - 1)); }
    var path = points.map(function (p, i) { return (i ? "L" : "M") + xOf(i).toFixed(1) + "," + yOf(p.value, drawn.top).toFixed(1); }).join(" ");
    var bottom = yOf(0, drawn.top).toFixed(1);
    drawn.svg.appendChild(element("path", { d: path + " L" + xOf(points.length - 1).toFixed(1) + "," + bottom + " L" + xOf(0).toFixed(1) + "," + bottom + " Z", class: "area" }));
    drawn.svg.appendChild(element("path", { d: path, class: "line" }));
    xLabels(drawn.svg, points.map(function (p) { return p.label; }), xOf);
    container.dataset.points = String(points.length);
    container.dataset.last = points.length ? String(points[points.length - 1].value) : "";
  }

  // groups: [{label, values: [a, b, ...]}]; series: [{name}]; marker: index of a group to flag
  function bars(container, groups, series, emptyText, legend) {
    var maximum = 0;
    groups.forEach(function (g) { g.values.forEach(function (v) { maximum = Math.max(maximum, v); }); });
    var empty = groups.length === 0 || maximum === 0;
    var drawn = frame(container, maximum, emptyText, empty);
    if (legend) {
      var key = document.createElement("div");
      key.className = "legend";
      key.innerHTML = series.map(function (s, i) {
        return '<span><i class="series-' + i + '" style="background:' + (i ? "#37a869" : "#1d5fb4") + '"></i>' + s.name + "</span>";
      }).join("");
      container.appendChild(key);
    }
    if (!drawn) return;
    var slot = (WIDTH - LEFT - RIGHT) / groups.length;
    var barWidth = Math.max(2, (slot * 0.8) / series.length);
    function xOf(i) { return LEFT + slot * i + slot / 2; }
    groups.forEach(function (group, i) {
      group.values.forEach(function (value, s) {
        var x = LEFT + slot * i + slot * 0.1 + barWidth * s;
        var y = yOf(value, drawn.top);
        var bar = element("rect", { x: x.toFixed(1), y: y.toFixed(1), width: barWidth.toFixed(1), height: (yOf(0, drawn.top) - y).toFixed(1), class: "series-" + s });
        bar.appendChild(element("title", {}, group.label + " · " + series[s].name + ": " + value));
        drawn.svg.appendChild(bar);
      });
    });
    xLabels(drawn.svg, groups.map(function (g) { return g.label; }), xOf);
  }

  global.ManagerCharts = { line: line, bars: bars };
})(window);
