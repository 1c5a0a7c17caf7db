// Year pickers of impact figures without a reload (progressive enhancement: without scripts
// each form loads ?year=… as an ordinary page). The chosen year's panel is fetched from the same
// page, swapped in place, announced to screen readers, and the address updated for sharing.
// Works for the impact page (form above its panel) and the live impact block (form inside it).
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.URL || window.ouendanImpactYear) return;
  window.ouendanImpactYear = true; // each live block includes this file: listen once

  function panels(root) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-impact-panel]"));
  }

  function panelOf(form) {
    var inside = form.closest("[data-impact-panel]");
    if (inside) return inside;
    var target = form.getAttribute("data-impact-target");
    return target ? document.querySelector(target) : null;
  }

  function hideButtons() {
    // The select does it: the button goes (removed, as page styles may show [hidden] buttons).
    document.querySelectorAll("[data-impact-year-form] [data-impact-submit]").forEach(function (b) {
      b.remove();
    });
  }

  function show(form, select) {
    var current = panelOf(form);
    if (!current) return;
    var index = panels(document).indexOf(current);
    var url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set(select.name, select.value);
    var selectId = select.id;
    // A picker inside the panel is replaced with it: focus moves to the new one, not to <body>.
    var replaced = current.contains(select);
    current.setAttribute("aria-busy", "true");
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = panels(new DOMParser().parseFromString(html, "text/html"))[index];
        if (!fresh) throw new Error("no panel");
        var node = document.importNode(fresh, true);
        current.replaceWith(node);
        hideButtons();
        window.history.replaceState(null, "", url.toString());
        var period = node.querySelector("[data-impact-period]");
        var status = form.isConnected
          ? form.parentNode.querySelector("[data-impact-status]")
          : node.querySelector("[data-impact-status]");
        if (status && period) status.textContent = period.textContent;
        var again = selectId && document.getElementById(selectId);
        if (replaced && again) again.focus();
      })
      .catch(function () {
        window.location.assign(url.toString()); // what the form would have done
      });
  }

  hideButtons();
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-impact-year]");
    var form = select && select.closest("[data-impact-year-form]");
    if (form) show(form, select);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-impact-year-form]");
    var select = form && form.querySelector("[data-impact-year]");
    if (!select) return;
    event.preventDefault();
    show(form, select);
  });
})();
