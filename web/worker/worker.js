// The compute worker. It loads compute.js/compute.wasm (core/ and web/worker/compute.cpp, built for a
// worker by CMake), takes the page's messages ({config: text}, {train: TrainAction number},
// {critical: CriticalAction number}, {cliff: [w, b]}, {first_screen_drawn: true}, {model: file
// bytes or null, layer_choice}, {save: file name}), computes in slices of about 25 ms with the page's messages handled in between, and
// after each slice posts what changed (web/worker/protocol.h) as a transferred ArrayBuffer. It runs its own instance of the
// core and shares no memory with the page, so any static host serves it (no special headers).
//
// The same file, loaded as 'worker.js#helper' by the compute worker itself, is a helper of its
// pool: it trains the critical experiment's runs it is given ({run, config, generation}), one at
// a time, each to its end, and answers with what it found. The pool has
// navigator.hardwareConcurrency workers (the page can set another size: {pool: n}): this one and
// the helpers. Each is its own instance of the core; they share nothing but messages.
'use strict';

var HELPER = self.location.hash === '#helper';

var SLICE_MS = 25;
// The longest the worker holds back the work beyond the page's first screen (compute.h:
// hold_for_first_screen) when the page does not say it drew it (a tab opened in the background
// draws nothing).
var FIRST_SCREEN_HOLD_MS = 3000;

var ready = false, pending = [], scheduled = false;

// A zero-delay "run again": a MessageChannel message queues behind the page's messages, so they
// are handled between slices (setTimeout(0) would add a 4 ms clamp after a few rounds).
var again = new MessageChannel();
again.port1.onmessage = slice;
function schedule() {
  if (!scheduled) {
    scheduled = true;
    again.port2.postMessage(0);
  }
}

function post() {
  var p = Module._worker_update(), n = Module._worker_update_size();
  var bytes = HEAPU8.slice(p, p + n);  // a copy out of the heap, handed over without another
  postMessage(bytes.buffer, [bytes.buffer]);
}

function slice() {
  scheduled = false;
  var more = Module._worker_advance(SLICE_MS);
  post();
  dispatch();
  if (more) schedule();
}

function handle(message) {
  if ('config' in message) {
    var text = String(message.config), n = lengthBytesUTF8(text) + 1, p = Module._malloc(n);
    stringToUTF8(text, p, n);
    Module._worker_config(p);
    Module._free(p);
  } else if ('train' in message) {
    Module._worker_train(message.train | 0);  // a TrainAction (results.h) as a number
  } else if ('critical' in message) {
    Module._worker_critical(message.critical | 0);  // a CriticalAction (results.h)
  } else if ('cliff' in message) {
    Module._worker_cliff(+message.cliff[0], +message.cliff[1]);  // a start point (w, b)
  } else if ('first_screen_drawn' in message) {
    Module._worker_hold_for_first_screen(0);
  } else if ('model' in message) {
    // your own model's file (an ArrayBuffer) and which of its layers (-1: its only one), or
    // null: back to drawn models
    var bytes = message.model ? new Uint8Array(message.model) : new Uint8Array(0);
    var q = Module._malloc(Math.max(1, bytes.length));
    HEAPU8.set(bytes, q);
    var choice = typeof message.layer_choice === 'number' ? message.layer_choice | 0 : -1;
    Module._worker_load_model(q, bytes.length, choice);
    Module._free(q);
  } else if ('save' in message) {
    // "Download model": the current model as safetensors, sent back under the page's name
    var f = Module._worker_model_file(), size = Module._worker_model_file_size();
    var file = HEAPU8.slice(f, f + size);
    postMessage({ file: file.buffer, name: String(message.save) }, [file.buffer]);
    return;  // nothing computed changed
  }
  post();  // at once: the page learns that its message was handled
  dispatch();
  schedule();
}

// --- the pool of helpers (web/worker/remedy_jobs.h: CriticalJob) ---
var poolSize = Math.max(1, Math.min(8, (self.navigator && navigator.hardwareConcurrency) | 0));
var helpers = [];  // { worker, busy, generation, index }

// Hands the free runs to idle helpers while the experiment runs; stops the helpers whose run is
// no longer wanted (Stop: their runs went back to the pool; a new experiment).
function dispatch() {
  var running = Module._worker_critical_running() !== 0;
  var generation = Module._worker_critical_generation();
  helpers = helpers.filter(function (h) {
    if (h.busy && (!running || h.generation !== generation)) {
      h.worker.terminate();
      return false;
    }
    return true;
  });
  if (!running) return;
  while (helpers.length < poolSize - 1) helpers.push(newHelper());
  helpers.forEach(function (h) {
    if (h.busy) return;
    var index = Module._worker_critical_take();
    if (index < 0) return;
    h.busy = true;
    h.generation = generation;
    h.index = index;
    h.worker.postMessage({ run: index, generation: generation,
                           config: UTF8ToString(Module._worker_critical_config()) });
  });
}

function newHelper() {
  var h = { worker: new Worker('worker.js#helper'), busy: false };
  h.worker.onmessage = function (e) {
    var m = e.data;
    h.busy = false;
    Module._worker_critical_result(m.generation, m.index, m.final_loss, m.diverged_at);
    post();
    dispatch();
    schedule();
  };
  h.worker.onerror = function (e) {  // its run goes back to the pool, to this worker or another
    console.warn('[worker] a helper failed: ' + (e.message || 'worker.js could not be loaded'));
    if (h.busy && h.generation === Module._worker_critical_generation())
      Module._worker_critical_release(h.index);
    h.worker.terminate();
    helpers = helpers.filter(function (x) { return x !== h; });
    poolSize = Math.max(1, poolSize - 1);  // do not start it again
    schedule();
  };
  return h;
}

// A helper's one message: train the run, answer.
function helperRun(message) {
  var text = String(message.config), n = lengthBytesUTF8(text) + 1, p = Module._malloc(n);
  stringToUTF8(text, p, n);
  var finalLoss = Module._helper_run(p, message.run | 0);
  Module._free(p);
  postMessage({ generation: message.generation, index: message.run, final_loss: finalLoss,
                diverged_at: Module._helper_diverged_at() });
}

self.onmessage = function (e) {
  if (!ready) pending.push(e.data);
  else if (HELPER) helperRun(e.data);
  else if ('pool' in e.data) {
    poolSize = Math.max(1, Math.min(8, e.data.pool | 0));
    dispatch();
  } else handle(e.data);
};

var Module = {
  onRuntimeInitialized: function () {
    ready = true;
    if (HELPER) {
      pending.forEach(helperRun);
      pending = [];
      return;
    }
    Module._worker_hold_for_first_screen(1);
    setTimeout(function () {
      Module._worker_hold_for_first_screen(0);
      schedule();
    }, FIRST_SCREEN_HOLD_MS);
    pending.forEach(function (m) {
      if ('pool' in m) poolSize = Math.max(1, Math.min(8, m.pool | 0));
      else handle(m);
    });
    pending = [];
  },
  print: function (text) { console.log('[worker] ' + text); },
  printErr: function (text) { console.warn('[worker] ' + text); }
};
importScripts('compute.js');
