/* Downloads for lic-bench pages (no dependencies, no network): the leaderboard view shown
 * and the points of every chart, as CSV or JSON, built in the browser from data the page
 * already holds.
 *  - A leaderboard board (.lb-board) embeds its rows in <script class="lb-data"> (one flat
 *    row per objective view, the columns of `lic-bench rd table --by-model`); its buttons
 *    (.lb-dl) save the rows the board shows, in the order and view shown.
 *  - Every plotly chart (.lb-plot) gets "CSV" and "JSON" buttons that save its traces'
 *    points (trace name, x, y), with the axis titles. */
(function () {
  "use strict";

  function save(text, name, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function csvCell(value) {
    if (value === null || value === undefined) { return ""; }
    var text = String(value);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csv(columns, rows) {
    var lines = [columns.map(csvCell).join(",")];
    rows.forEach(function (row) {
      lines.push(columns.map(function (c) { return csvCell(row[c]); }).join(","));
    });
    return lines.join("\n") + "\n";
  }

  function slug(text) {
    return String(text || "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "data";
  }

  function boardDownload(board, format) {
    var holder = board.querySelector("script.lb-data");
    if (!holder) { return; }
    var data = JSON.parse(holder.textContent);
    var view = board.dataset.view || "all";
    var rows = [];
    board.querySelectorAll("tbody tr[data-i]").forEach(function (tr) {
      if (tr.hidden) { return; }
      var row = (data.rows[Number(tr.dataset.i)] || {})[view];
      if (row) {
        row = Object.assign({}, row, { rank: rows.length + 1 });
        rows.push(row);
      }
    });
    var name = "leaderboard-" + slug(data.anchor.dataset) + "-" + slug(data.anchor.name) + "-" +
      slug(data.anchor.averaging) + "-" + slug(view);
    if (format === "csv") {
      save(csv(data.columns, rows), name + ".csv", "text/csv");
    } else {
      var out = { anchor: data.anchor, method: data.method, view: view, columns: data.columns, rows: rows };
      save(JSON.stringify(out, null, 2) + "\n", name + ".json", "application/json");
    }
  }

  function chartDownload(plot, format) {
    var gd = plot.querySelector(".plotly-graph-div");
    if (!gd || !gd.data) { return; }
    var layout = gd.layout || {};
    function title(axis) {
      var t = axis && axis.title;
      return (t && (t.text || t)) || "";
    }
    var chart = {
      title: title(layout),
      x: title(layout.xaxis) || "x",
      y: title(layout.yaxis) || "y",
      traces: gd.data.map(function (t) {
        return { name: t.name || "", x: Array.from(t.x || []), y: Array.from(t.y || []) };
      })
    };
    var name = "chart-" + slug(chart.title || gd.id);
    if (format === "csv") {
      var rows = [];
      chart.traces.forEach(function (t) {
        t.x.forEach(function (x, i) { rows.push({ trace: t.name, x: x, y: t.y[i] }); });
      });
      var text = "# x: " + chart.x + "; y: " + chart.y + "\n" + csv(["trace", "x", "y"], rows);
      save(text, name + ".csv", "text/csv");
    } else {
      save(JSON.stringify(chart, null, 2) + "\n", name + ".json", "application/json");
    }
  }

  function button(format) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "lb-dl";
    b.dataset.format = format;
    b.textContent = format.toUpperCase();
    return b;
  }

  function init() {
    document.querySelectorAll(".lb-plot").forEach(function (plot) {
      if (plot.querySelector(".lb-chart-downloads")) { return; }
      var bar = document.createElement("div");
      bar.className = "lb-chart-downloads";
      bar.appendChild(document.createTextNode("Download the points: "));
      bar.appendChild(button("csv"));
      bar.appendChild(document.createTextNode(" "));
      bar.appendChild(button("json"));
      plot.appendChild(bar);
    });
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest(".lb-dl") : null;
      if (!target) { return; }
      var board = target.closest(".lb-board");
      if (board) { boardDownload(board, target.dataset.format); return; }
      var plot = target.closest(".lb-plot");
      if (plot) { chartDownload(plot, target.dataset.format); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
