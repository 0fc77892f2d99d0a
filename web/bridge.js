// The JavaScript side of web/bridge.cpp, linked with --js-library: window.gradscope for scripts
// and tests, the URL hash, the clipboard, downloads, the page shell's overlay, and the compute
// worker (web/worker/worker.js), which does every computation off the UI thread and sends its results
// back as messages.
//
// Strings cross into C++ as malloc'ed UTF-8 that the callee (C++) does not keep; the C++
// functions named _gradscope_* are exported with EMSCRIPTEN_KEEPALIVE.

mergeInto(LibraryManager.library, {
  // Calls a C++ function taking one string and returning one, with JavaScript strings.
  $gradscopeCall__deps: ['malloc', 'free'],
  $gradscopeCall: function (fn, text) {
    var n = lengthBytesUTF8(text) + 1;
    var p = _malloc(n);
    stringToUTF8(text, p, n);
    var result = UTF8ToString(fn(p));
    _free(p);
    return result;
  },

  // Installs window.gradscope and the hashchange listener, and starts the compute worker. Each
  // worker message (an ArrayBuffer) is copied into the heap and handed to C++.
  js_install__deps: ['$gradscopeCall', 'malloc', 'free'],
  js_install: function () {
    window.gradscope = {
      // The current config and the numbers behind every plot.
      getState: function () { return JSON.parse(UTF8ToString(_gradscope_get_state())); },
      // A few numbers, cheap enough to read every frame (getState carries every curve): frame,
      // done, work_ms, work_ms_max, frames_drawn, iterations.
      status: function () { return JSON.parse(UTF8ToString(_gradscope_status())); },
      // Applies key=value text over the current config; returns "" or the error.
      setConfig: function (text) { return gradscopeCall(_gradscope_set_config, String(text)); },
      // Training: "play", "pause", "step" or "reset"; returns "" or the error.
      train: function (action) { return gradscopeCall(_gradscope_train, String(action)); },
      // The critical-length experiment: "run" (start or go on) or "stop"; returns "" or the error.
      critical: function (action) { return gradscopeCall(_gradscope_critical, String(action)); },
      // A start point on Pascanu's cliff: gradient descent from (w, b) without and with clipping.
      // Returns "" or the error (w and b must be finite numbers).
      cliff: function (w, b) {
        w = Number(w); b = Number(b);
        if (!isFinite(w) || !isFinite(b)) return 'cliff: w and b must be finite numbers';
        _gradscope_cliff(w, b);
        return '';
      },
      // Puts a view in focus (decay, sweep, heatmap, training, why, ...): it decides what "Why"
      // explains and what CSV holds; returns "" or the error.
      focus: function (view) { return gradscopeCall(_gradscope_focus, String(view)); },
      // The CSV that "Download CSV" saves for the view in focus.
      csv: function () { return UTF8ToString(_gradscope_csv()); }
    };
    window.addEventListener('hashchange', function () { _gradscope_hash_changed(); });

    // the page shell (index.html) started it early, so that compute.wasm loads beside app.wasm
    var worker = Module.gradscopeWorker || new Worker('worker.js');
    worker.onmessage = function (e) {
      var bytes = new Uint8Array(e.data);
      var p = _malloc(bytes.length);
      HEAPU8.set(bytes, p);
      _gradscope_receive(p, bytes.length);
      _free(p);
    };
    worker.onerror = function (e) {
      e.preventDefault();
      if (Module.onAppFailed) Module.onAppFailed('the compute worker failed: ' + (e.message || 'worker.js or compute.wasm could not be loaded'));
    };
    Module.gradscopeWorker = worker;
    // ?workers=N sets the size of the worker's pool for the critical experiment (default: the
    // machine's cores); make bench-page compares 1 and 2
    var workers = Number(new URLSearchParams(location.search).get('workers'));
    if (workers >= 1) worker.postMessage({ pool: workers });
  },

  // Messages to the compute worker: the whole configuration, a training action, the critical
  // experiment's run or stop, a start point on the cliff.
  js_worker_config: function (text) {
    Module.gradscopeWorker.postMessage({ config: UTF8ToString(text) });
  },
  js_worker_train: function (action) {
    Module.gradscopeWorker.postMessage({ train: action });
  },
  js_worker_critical: function (action) {
    Module.gradscopeWorker.postMessage({ critical: action });
  },
  js_worker_cliff: function (w, b) {
    Module.gradscopeWorker.postMessage({ cliff: [w, b] });
  },
  js_worker_first_screen_drawn: function () {
    Module.gradscopeWorker.postMessage({ first_screen_drawn: true });
  },

  js_copy_link: function () {
    var done = function (ok) { _gradscope_notice(ok ? 1 : 0); };
    try {
      navigator.clipboard.writeText(location.href).then(function () { done(true); },
                                                        function () { done(false); });
    } catch (e) {
      done(false);
    }
  },

  js_download: function (filename, mime, text) {
    var blob = new Blob([UTF8ToString(text)], { type: UTF8ToString(mime) });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = UTF8ToString(filename);
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  },

  // Opens a file of the site (the licence notices) in a new tab.
  js_open: function (url) {
    window.open(UTF8ToString(url), '_blank', 'noopener');
  },

  // The frame just drawn, still in the drawing buffer: call right after rendering.
  js_download_canvas_png: function (filename) {
    var a = document.createElement('a');
    a.href = Module.canvas.toDataURL('image/png');
    a.download = UTF8ToString(filename);
    document.body.appendChild(a);
    a.click();
    a.remove();
  },

  // location.hash without '#', URL-decoded, as malloc'ed UTF-8 (the caller frees it).
  js_read_hash__deps: ['malloc'],
  js_read_hash: function () {
    var text = location.hash.substring(1);
    try {
      text = decodeURIComponent(text);
    } catch (e) {
      // a malformed %-escape: parse the raw text, whose error message will show it
    }
    var n = lengthBytesUTF8(text) + 1;
    var p = _malloc(n);
    stringToUTF8(text, p, n);
    return p;
  },

  // Whether this browser has opened the page before (then marks it as having): a first visit
  // starts with the guided tour. Storage that is off or full counts as a returning visitor.
  js_first_visit: function () {
    try {
      if (localStorage.getItem('gradscope.visited')) return 0;
      localStorage.setItem('gradscope.visited', '1');
      return 1;
    } catch (e) {
      return 0;
    }
  },

  // Replaces the hash without a new history entry and without a hashchange event.
  js_write_hash: function (text) {
    history.replaceState(null, '', '#' + UTF8ToString(text));
  },

  js_mark: function (name) {
    if (window.performance && performance.mark) performance.mark(UTF8ToString(name));
  },

  js_signal_ready: function () {
    if (Module.onAppReady) Module.onAppReady();
  },

  js_fail: function (message) {
    if (Module.onAppFailed) Module.onAppFailed(UTF8ToString(message));
  }
});
