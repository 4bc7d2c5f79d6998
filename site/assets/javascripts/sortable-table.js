/* Sortable, filterable tables for lic-bench (no dependencies, no network).
 * Enhances every table inside <div class="lb-sortable">: a filter box that matches any
 * cell text, and column headings that sort on click (numbers numerically, the rest
 * alphabetically; a second click reverses). */
(function () {
  "use strict";

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function compare(a, b) {
    var na = parseFloat(a), nb = parseFloat(b);
    if (!isNaN(na) && !isNaN(nb) && String(na) === a && String(nb) === b) {
      return na - nb;
    }
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }

  function enhance(table) {
    if (table.dataset.lbEnhanced) { return; }
    table.dataset.lbEnhanced = "1";
    var body = table.tBodies[0];
    if (!body) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var total = rows.length;

    var bar = document.createElement("div");
    bar.className = "lb-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter: title, author, venue, year, component…";
    input.setAttribute("aria-label", "Filter the table");
    var count = document.createElement("span");
    count.className = "lb-count";
    count.textContent = total + " of " + total;
    bar.appendChild(input);
    bar.appendChild(count);
    var anchor = table.closest(".md-typeset__scrollwrap") || table;
    anchor.parentNode.insertBefore(bar, anchor);

    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var keep = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      count.textContent = shown + " of " + total;
    });

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.classList.add("lb-sort");
      th.setAttribute("role", "button");
      th.setAttribute("tabindex", "0");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var order = compare(cellText(a, index), cellText(b, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }

  function init() {
    document.querySelectorAll(".lb-sortable table").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
