/* The places map (居場所マップ): Leaflet from our own static files, markers read from a JSON
 * script tag (no inline script: the site's CSP), tiles only when the site sets a tile server.
 * Without tiles the markers are drawn over a plain background; the list stays the main view. */
(function () {
    "use strict";

    function start() {
        var element = document.getElementById("place-map");
        if (!element || typeof L === "undefined") {
            return;
        }
        var source = document.getElementById(element.getAttribute("data-markers"));
        var markers = source ? JSON.parse(source.textContent) : [];
        if (!markers.length) {
            element.hidden = true;
            return;
        }
        element.classList.add("place-map--ready");
        var map = L.map(element, { scrollWheelZoom: false });
        var tiles = element.getAttribute("data-tiles-url");
        if (tiles) {
            L.tileLayer(tiles, {
                maxZoom: 19,
                attribution: element.getAttribute("data-tiles-attribution") || ""
            }).addTo(map);
        } else {
            element.classList.add("place-map--no-tiles");
            var note = document.createElement("p");
            note.className = "place-map__note";
            note.textContent = element.getAttribute("data-no-tiles") || "";
            element.parentNode.insertBefore(note, element.nextSibling);
        }
        var points = [];
        markers.forEach(function (marker) {
            var point = [marker.lat, marker.lng];
            points.push(point);
            var popup = document.createElement("div");
            var link = document.createElement("a");
            link.href = marker.url;
            link.textContent = marker.name;
            var kind = document.createElement("div");
            kind.textContent = marker.kind;
            popup.appendChild(link);
            popup.appendChild(kind);
            L.marker(point, { title: marker.name, alt: marker.name }).bindPopup(popup).addTo(map);
        });
        if (points.length === 1) {
            map.setView(points[0], parseInt(element.getAttribute("data-zoom"), 10) || 15);
        } else {
            map.fitBounds(points, { padding: [24, 24] });
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
