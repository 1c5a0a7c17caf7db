/* The donate page (site.js focuses the error summary): keep one amount at a time (a tile or the other
   amount), and choose a fitting amount when the visitor switches one-off / monthly. The form
   works without it. */
(function () {
    "use strict";

    function ready(fn) {
        if (document.readyState === "loading") {
            document.addEventListener("DOMContentLoaded", fn);
        } else {
            fn();
        }
    }

    ready(function () {
        var form = document.querySelector("[data-donate-form]");
        if (!form) {
            return;
        }
        var custom = form.querySelector("input[name=custom_amount]");
        var tiles = Array.prototype.slice.call(form.querySelectorAll("input.tile__input"));

        function frequency() {
            var checked = form.querySelector("input[name=frequency]:checked");
            return checked ? checked.value : "one_off";
        }

        function offered(input, value) {
            var tile = input.closest(".tile");
            return (" " + tile.getAttribute("data-for") + " ").indexOf(" " + value + " ") !== -1;
        }

        form.addEventListener("change", function (event) {
            var target = event.target;
            if (target.name === "frequency") {
                var current = frequency();
                var chosen = tiles.filter(function (input) { return input.checked; })[0];
                if (chosen && offered(chosen, current)) {
                    return;
                }
                if (custom && custom.value) {
                    return;  // the visitor's own amount stays
                }
                tiles.forEach(function (input) {
                    var tile = input.closest(".tile");
                    var defaults = " " + tile.getAttribute("data-default") + " ";
                    input.checked = defaults.indexOf(" " + current + " ") !== -1;
                });
            } else if (target.classList.contains("tile__input") && custom) {
                custom.value = "";
            }
        });

        if (custom) {
            custom.addEventListener("input", function () {
                if (custom.value) {
                    tiles.forEach(function (input) { input.checked = false; });
                }
            });
        }
    });
})();
