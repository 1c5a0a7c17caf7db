// The impact page's year picker without a reload (progressive enhancement: without scripts the
// form loads ?year=… as an ordinary page). The new year's panel is fetched from the same page,
// swapped in place, announced to screen readers, and the address updated for sharing.
(function () {
  "use strict";
  var form = document.querySelector("[data-impact-year-form]");
  if (!form || !window.fetch || !window.DOMParser || !window.URL) return;
  var select = form.querySelector("[data-impact-year]");
  var button = form.querySelector("[data-impact-submit]");
  var status = document.querySelector("[data-impact-status]");
  if (!select) return;
  if (button) button.hidden = true;

  function panel() {
    return document.querySelector("[data-impact-panel]");
  }

  function show(year) {
    var url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("year", year);
    var current = panel();
    current.setAttribute("aria-busy", "true");
    return fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(
          "[data-impact-panel]"
        );
        if (!fresh) throw new Error("no panel");
        current.replaceWith(document.importNode(fresh, true));
        window.history.replaceState(null, "", url.toString());
        var period = panel().querySelector("[data-impact-period]");
        if (status && period) status.textContent = period.textContent;
      })
      .catch(function () {
        window.location.assign(url.toString()); // what the form would have done
      });
  }

  select.addEventListener("change", function () {
    show(select.value);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(select.value);
  });
})();
