/* The place edit form: fill the address from the postal code (our own offline look-up, staff
 * only) and set the pin on a Leaflet map (drag the marker or click the map; latitude and
 * longitude follow, and typing them moves the marker). Works without map tiles. */
(function () {
    "use strict";

    function lookup(button) {
        var input = document.getElementById(button.getAttribute("data-postal-input"));
        var address = document.getElementById(button.getAttribute("data-address-input"));
        var status = button.parentNode.querySelector(".place-postal__status");
        var url = button.getAttribute("data-place-postal-lookup") + "?code=" + encodeURIComponent(input.value);
        status.textContent = "";
        fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                return response.json();
            })
            .then(function (data) {
                if (!data.found) {
                    status.textContent = status.getAttribute("data-not-found");
                    return;
                }
                input.value = data.postal_code;
                if (address && address.value.indexOf(data.address) !== 0) {
                    address.value = data.address;
                }
                if (address) { address.focus(); }
                status.textContent = data.address;
            })
            .catch(function () { status.textContent = status.getAttribute("data-failed"); });
    }

    function pinMap(element) {
        if (typeof L === "undefined" || element.getAttribute("data-ready")) { return; }
        element.setAttribute("data-ready", "1");
        var lat = document.getElementById(element.getAttribute("data-lat-input"));
        var lng = document.getElementById(element.getAttribute("data-lng-input"));
        var centre = [parseFloat(element.getAttribute("data-centre-lat")),
                      parseFloat(element.getAttribute("data-centre-lng"))];
        var has = lat.value && lng.value;
        var start = has ? [parseFloat(lat.value), parseFloat(lng.value)] : centre;
        var map = L.map(element).setView(start, has ? 16 : 13);
        var tiles = element.getAttribute("data-tiles-url");
        if (tiles) {
            L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-tiles-attribution") || "" }).addTo(map);
        }
        var marker = L.marker(start, { draggable: true, autoPan: true }).addTo(map);
        function write(point) {
            lat.value = point.lat.toFixed(6);
            lng.value = point.lng.toFixed(6);
        }
        marker.on("dragend", function () { write(marker.getLatLng()); });
        map.on("click", function (event) { marker.setLatLng(event.latlng); write(event.latlng); });
        function read() {
            var a = parseFloat(lat.value), b = parseFloat(lng.value);
            if (!isNaN(a) && !isNaN(b)) { marker.setLatLng([a, b]); map.panTo([a, b]); }
        }
        lat.addEventListener("change", read);
        lng.addEventListener("change", read);
    }

    function start() {
        document.addEventListener("click", function (event) {
            var button = event.target.closest("[data-place-postal-lookup]");
            if (button) { event.preventDefault(); lookup(button); }
        });
        Array.prototype.forEach.call(document.querySelectorAll("[data-place-pin-map]"), pinMap);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
