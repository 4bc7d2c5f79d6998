/* Sortable, filterable, paged tables for lic-bench (no dependencies, no network).
 * Enhances every table inside <div class="lb-sortable">: a filter box that matches any
 * cell text, column headings that sort on click (numbers numerically, the rest
 * alphabetically; a second click reverses) and, when the div has data-page-size="N",
 * pages of N rows with previous/next buttons (the filter and the sort see every row). */
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

  function button(label, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "lb-page-button";
    b.textContent = label;
    b.title = title;
    return b;
  }

  function enhance(table) {
    if (table.dataset.lbEnhanced) { return; }
    table.dataset.lbEnhanced = "1";
    var body = table.tBodies[0];
    if (!body) { return; }
    var holder = table.closest(".lb-sortable");
    var pageSize = parseInt((holder && holder.dataset.pageSize) || "0", 10) || 0;
    var rows = Array.prototype.slice.call(body.rows);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    rows.forEach(function (row, i) { row.lbText = texts[i]; });
    var total = rows.length;
    var words = [];
    var page = 0;

    var bar = document.createElement("div");
    bar.className = "lb-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter: title, author, venue, year, component…";
    input.setAttribute("aria-label", "Filter the table");
    var count = document.createElement("span");
    count.className = "lb-count";
    bar.appendChild(input);
    bar.appendChild(count);
    var pager = document.createElement("span");
    pager.className = "lb-pager";
    var prev = button("‹", "Previous page");
    var next = button("›", "Next page");
    var where = document.createElement("span");
    where.className = "lb-page";
    pager.appendChild(prev);
    pager.appendChild(where);
    pager.appendChild(next);
    if (pageSize) { bar.appendChild(pager); }
    var anchor = table.closest(".md-typeset__scrollwrap") || table;
    anchor.parentNode.insertBefore(bar, anchor);

    function render() {
      var matching = 0;
      var first = page * pageSize, last = first + pageSize;
      rows.forEach(function (row) {
        var keep = words.every(function (w) { return row.lbText.indexOf(w) !== -1; });
        var onPage = keep && (!pageSize || (matching >= first && matching < last));
        if (keep) { matching += 1; }
        row.hidden = !onPage;
      });
      count.textContent = matching + " of " + total;
      var pages = pageSize ? Math.max(1, Math.ceil(matching / pageSize)) : 1;
      pager.hidden = pages < 2;
      where.textContent = "page " + (page + 1) + " of " + pages;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }

    input.addEventListener("input", function () {
      words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      page = 0;
      render();
    });
    prev.addEventListener("click", function () { if (page > 0) { page -= 1; render(); } });
    next.addEventListener("click", function () { page += 1; render(); });

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
        var fragment = document.createDocumentFragment();
        rows.forEach(function (row) { fragment.appendChild(row); });
        body.appendChild(fragment);
        page = 0;
        render();
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    render();
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
