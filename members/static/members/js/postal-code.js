/* Fill prefecture, city and town from the postal code (〒), using the site's own offline
 * lookup (no outside requests). Forms opt in with data-postal-lookup="<endpoint URL>".
 * Without JavaScript the server fills prefecture and city when they are left blank. */
(function () {
    "use strict";

    function digits(value) {
        // Full-width digits → half-width; keep digits only.
        return value
            .replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
            .replace(/\D/g, "");
    }

    function setIfEmpty(field, value, force) {
        if (!field || !value) { return; }
        if (force || !field.value) {
            field.value = value;
            field.dispatchEvent(new Event("change", { bubbles: true }));
        }
    }

    function attach(form) {
        var endpoint = form.getAttribute("data-postal-lookup");
        var input = form.querySelector("[data-postal-code]");
        if (!endpoint || !input) { return; }
        var last = "";
        var status = document.createElement("p");
        status.className = "field__help";
        status.setAttribute("role", "status");
        status.setAttribute("aria-live", "polite");
        input.insertAdjacentElement("afterend", status);

        function lookUp() {
            var code = digits(input.value);
            if (code.length !== 7 || code === last) { return; }
            last = code;
            fetch(endpoint + "?code=" + encodeURIComponent(code), {
                headers: { "Accept": "application/json" },
                credentials: "same-origin"
            })
                .then(function (response) { return response.ok ? response.json() : null; })
                .then(function (data) {
                    if (!data || !data.found) {
                        status.textContent = form.getAttribute("data-postal-not-found") || "";
                        return;
                    }
                    input.value = data.postal_code;
                    var prefecture = form.querySelector("[name$=prefecture]");
                    var city = form.querySelector("[name$=city]");
                    var town = form.querySelector("[name$=address_line]");
                    setIfEmpty(prefecture, data.prefecture, true);
                    setIfEmpty(city, data.city, true);
                    setIfEmpty(town, data.town, false);
                    status.textContent = data.prefecture + data.city + data.town;
                })
                .catch(function () { last = ""; });
        }

        input.addEventListener("input", lookUp);
        input.addEventListener("change", lookUp);
    }

    document.addEventListener("DOMContentLoaded", function () {
        Array.prototype.forEach.call(document.querySelectorAll("form[data-postal-lookup]"), attach);
    });
})();
