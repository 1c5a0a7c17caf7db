/* Public site behaviour, loaded on every page (a static file: the Content-Security-Policy allows
 * no inline script). Everything here is an enhancement: the pages work without it.
 *  - the header menu: a <details> disclosure; here its summary gets aria-expanded, Escape closes
 *    it, and on wide screens it stays open (the links then sit in the header row);
 *  - the error summary of a form that came back with errors takes the focus and scrolls into view;
 *  - tables marked data-stack get data-label on each cell from its column header, so the CSS can
 *    show one card per row on a phone. */
(function () {
    "use strict";

    var WIDE = "(min-width: 60rem)";

    function setUpMenu(menu) {
        var toggle = menu.querySelector("summary");
        if (!toggle) { return; }
        var wide = window.matchMedia ? window.matchMedia(WIDE) : null;

        function sync() {
            toggle.setAttribute("aria-expanded", menu.open ? "true" : "false");
        }
        function fit() {
            if (wide && wide.matches) { menu.open = true; }
            else if (document.activeElement === document.body || !menu.contains(document.activeElement)) {
                menu.open = false;
            }
            sync();
        }
        menu.addEventListener("toggle", sync);
        menu.addEventListener("keydown", function (event) {
            if (event.key === "Escape" && menu.open && !(wide && wide.matches)) {
                menu.open = false;
                toggle.focus();
            }
        });
        if (wide) {
            if (wide.addEventListener) { wide.addEventListener("change", fit); }
            else if (wide.addListener) { wide.addListener(fit); }
        }
        fit();
    }

    function focusErrorSummary() {
        var summary = document.querySelector("[data-error-summary]");
        if (!summary) { return; }
        if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
        summary.focus({ preventScroll: true });
        summary.scrollIntoView({ block: "start" });
        // The links inside jump to a field: focus it too, not only scroll to it.
        summary.addEventListener("click", function (event) {
            var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
            if (!link) { return; }
            var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
            if (field) {
                event.preventDefault();
                field.scrollIntoView({ block: "center" });
                field.focus();
            }
        });
    }

    function labelCells(table) {
        var headers = [];
        var headRow = table.tHead && table.tHead.rows[0];
        if (!headRow) { return; }
        Array.prototype.forEach.call(headRow.cells, function (cell) {
            var span = cell.colSpan || 1;
            for (var i = 0; i < span; i += 1) { headers.push(cell.textContent.trim()); }
        });
        Array.prototype.forEach.call(table.tBodies, function (body) {
            Array.prototype.forEach.call(body.rows, function (row) {
                var column = 0;
                Array.prototype.forEach.call(row.cells, function (cell) {
                    var label = headers[column];
                    if (label && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", label); }
                    column += cell.colSpan || 1;
                });
            });
        });
        table.setAttribute("data-stack-ready", "");
    }

    function start() {
        Array.prototype.forEach.call(document.querySelectorAll("[data-site-menu]"), setUpMenu);
        Array.prototype.forEach.call(document.querySelectorAll("table[data-stack]"), labelCells);
        focusErrorSummary();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
