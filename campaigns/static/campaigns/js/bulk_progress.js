// Bulk thank-you progress: poll the JSON endpoint, move the <progress> bar, reload when done.
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-progress]");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  var bar = box.querySelector("progress");
  var counts = box.querySelector("[data-batch-counts]");
  var status = document.querySelector("[data-batch-status]");
  var failures = 0;

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        counts.textContent = data.processed + " / " + data.total;
        status.textContent = data.status_label;
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 500);
})();
