// Progress of a background job (member import, receipt batch, bulk thanks; payload built by
// ouendan/core/jobs.py): poll the element's JSON endpoint, move its <progress> bar, reload the
// page when the job has finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  var bar = box.querySelector("progress");
  var counts = box.querySelector("[data-job-counts]");
  var status = document.querySelector("[data-job-status]");
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
        var processed = data.processed;
        var total = data.total;
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        counts.textContent = processed + " / " + total;
        if (status) {
          status.textContent = data.status_label;
        }
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
