// The JavaScript side of web/own_model_ui.cpp (your own model), linked with --js-library: the
// file input (#model-file) and drag and drop, the file's bytes handed to C++ (which checks them
// and sends them on to the compute worker), and "Download model"'s file coming back from the
// worker as a download.
mergeInto(LibraryManager.library, {
  js_own_model_install__deps: ['malloc', 'free'],
  js_own_model_install: function () {
    function withName(name, fn) {
      var n = lengthBytesUTF8(name) + 1, p = _malloc(n);
      stringToUTF8(name, p, n);
      fn(p);
      _free(p);
    }
    // A File: its bytes into the heap for C++, or null bytes when it is over the size limit
    // (C++ then says so without anything read).
    function load(file) {
      if (!file) return;
      var name = String(file.name || 'model');
      if (file.size > _gradscope_max_model_bytes()) {
        withName(name, function (p) { _gradscope_load_model(0, file.size, p); });
        return;
      }
      file.arrayBuffer().then(function (buffer) {
        var bytes = new Uint8Array(buffer), q = _malloc(Math.max(1, bytes.length));
        HEAPU8.set(bytes, q);
        withName(name, function (p) { _gradscope_load_model(q, bytes.length, p); });
        _free(q);
      }, function (error) {
        withName(name, function (p) {
          withName(String(error && error.message || error), function (w) { _gradscope_model_unreadable(p, w); });
        });
      });
    }

    var input = document.createElement('input');
    input.type = 'file';
    input.id = 'model-file';
    input.accept = '.safetensors';
    input.style.display = 'none';
    input.addEventListener('change', function () {
      load(input.files[0]);
      input.value = '';  // the same file again is a new change
    });
    document.body.appendChild(input);
    Module.gradscopeModelInput = input;

    // Drag and drop anywhere on the page.
    var hasFiles = function (e) {
      return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], 'Files') >= 0;
    };
    // While files are dragged over it, the page says where they go (index.html's #drop-cue).
    var cue = document.getElementById('drop-cue');
    var showCue = function (shown) { if (cue) cue.hidden = !shown; };
    window.addEventListener('dragover', function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      showCue(true);
    });
    window.addEventListener('dragleave', function (e) {
      if (!e.relatedTarget) showCue(false);  // out of the window (not onto another element)
    });
    window.addEventListener('drop', function (e) {
      showCue(false);
      if (!hasFiles(e)) return;
      e.preventDefault();
      load(e.dataTransfer.files[0]);
    });

    // "Download model": the worker's answer is {file, name}; the rest are results for C++.
    var worker = Module.gradscopeWorker, results = worker.onmessage;
    worker.onmessage = function (e) {
      if (e.data && e.data.file) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob([e.data.file], { type: 'application/octet-stream' }));
        a.download = e.data.name;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        return;
      }
      results(e);
    };

    window.gradscope.clearModel = function () { _gradscope_clear_model(); };
    // Which layer of a file of several every view reads: an index of getState().model.layers.
    window.gradscope.chooseModelLayer = function (i) {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > 1e6)
        return 'chooseModelLayer: ' + String(i).slice(0, 80) + ' is no layer: expected an index of model.layers, 0, 1, ...';
      return UTF8ToString(_gradscope_choose_model_layer(i));
    };
    window.gradscope.downloadModel = function () { _gradscope_download_model(); };
  },

  // The model's bytes to the worker (a copy, transferred) and the layer to read (an index of
  // layer_choices, -1: the file's only one), or null: back to drawn models.
  js_worker_model: function (bytes, size, layerChoice) {
    Module.gradscopeWorker.postMessage({ model: size ? HEAPU8.slice(bytes, bytes + size).buffer : null,
                                         layer_choice: layerChoice });
  },

  js_worker_save: function (name) {
    Module.gradscopeWorker.postMessage({ save: UTF8ToString(name) });
  },

  // "Load model...": the browser's file dialog (the click is a user gesture a frame ago, within
  // the browser's transient activation).
  js_pick_model_file: function () {
    if (Module.gradscopeModelInput) Module.gradscopeModelInput.click();
  }
});
