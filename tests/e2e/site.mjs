// What every script that drives the built site needs (the browser tests, the screenshots, the
// page benchmarks): dist/ served over http on 127.0.0.1 (browsers do not load wasm from
// file://), and Debian's Chromium launched with the flags that give it WebGL2 here.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

// The launch flags seen to work here (docs/ARCHITECTURE.md). The SwiftShader ones matter: without
// them newer Chromium may give no WebGL at all; the network ones keep a machine without internet
// from refusing Chromium's own connections.
export const LAUNCH_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

export function launch(executablePath = process.env.CHROMIUM || '/usr/bin/chromium', extraArgs = []) {
  return chromium.launch({ executablePath, args: [...LAUNCH_ARGS, ...extraArgs], headless: true });
}

// A page opened by a browser that has seen the site before: it goes straight to the plots (a
// first visit opens the guided tour instead; tests of that pass firstVisit).
export async function asReturningVisitor(context) {
  await context.addInitScript(() => {
    try { localStorage.setItem('gradscope.visited', '1'); } catch (e) { /* storage off */ }
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
                '.css': 'text/css', '.png': 'image/png', '.json': 'application/json',
                '.txt': 'text/plain; charset=utf-8' };

// Serves `root` on a port chosen by the OS; resolves to the server (server.address().port).
export function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const rel = decodeURIComponent(url.pathname) === '/' ? 'index.html' : decodeURIComponent(url.pathname).slice(1);
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
                         // no-store made Chromium report app.wasm as aborted now and then
                         'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
