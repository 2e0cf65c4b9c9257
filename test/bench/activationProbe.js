// One cold activation, measured in a fresh Node process: require(<bundle>) + activate() with an
// empty state, against a small stub of the `vscode` module. Plain JavaScript run by plain Node, so
// no transpiler hook touches the bundle (esbuild-register would recompile it on require).
// Prints one JSON line: timings, the Node built-ins the bundle asked for, and any file system or
// network use during activate().
// Usage: node test/bench/activationProbe.js dist/extension.js
//   [--seed DIR] (copied into the global storage folder first: a window with state)
//   [--idle-simulated S] (then S seconds of fake time: timers run as due, real I/O in between)
//   [--idle-real S] (then S real seconds)
// With an idle option the line also has `idle`: CPU time and file system calls of that span.
'use strict';
const Module = require('module');
const path = require('path');
const fs = require('fs');
const net = require('net');
const { performance } = require('perf_hooks');

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener) => {
      this.listeners.add(listener);
      return new StubDisposable(() => this.listeners.delete(listener));
    };
  }
  fire(value) {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose() {
    this.listeners.clear();
  }
}

class StubDisposable {
  constructor(callOnDispose) {
    this.callOnDispose = callOnDispose;
  }
  static from(...items) {
    return new StubDisposable(() => items.forEach((item) => item.dispose()));
  }
  dispose() {
    this.callOnDispose?.();
  }
}

class Uri {
  constructor(fsPath) {
    this.fsPath = fsPath;
    this.scheme = 'file';
    this.path = fsPath;
  }
  static file(fsPath) {
    return new Uri(fsPath);
  }
  static joinPath(base, ...segments) {
    return new Uri(path.join(base.fsPath, ...segments));
  }
  toString() {
    return `file://${this.fsPath}`;
  }
}

const noopDisposable = () => new StubDisposable(() => undefined);
const noopEvent = () => noopDisposable();
const logChannel = () => {
  const channel = { name: 'log', logLevel: 2, onDidChangeLogLevel: noopEvent };
  for (const method of [
    'trace',
    'debug',
    'info',
    'warn',
    'error',
    'append',
    'appendLine',
    'clear',
    'show',
    'hide',
    'dispose',
  ]) {
    channel[method] = () => undefined;
  }
  return channel;
};

/** Any object whose methods do nothing: what create*() returns for APIs this stub does not model. */
function inert() {
  return new Proxy(
    { dispose: () => undefined },
    {
      get: (target, key) =>
        key in target
          ? target[key]
          : key === 'then'
            ? undefined
            : /^onDid/.test(String(key))
              ? noopEvent
              : () => undefined,
    },
  );
}

/** Fills in the members of a namespace this stub does not list: events, disposables and inert objects. */
function namespace(members) {
  return new Proxy(members, {
    get: (target, key) => {
      if (key in target) return target[key];
      const name = String(key);
      if (/^onDid|^onWill/.test(name)) return noopEvent;
      if (/^register/.test(name)) return noopDisposable;
      if (/^create/.test(name)) return inert;
      return () => undefined;
    },
  });
}

const vscodeStub = {
  version: '1.100.3',
  EventEmitter,
  Disposable: StubDisposable,
  Uri,
  TreeItem: class TreeItem {
    constructor(label, collapsibleState) {
      this.label = label;
      this.collapsibleState = collapsibleState;
    }
  },
  ThemeIcon: class ThemeIcon {
    constructor(id, color) {
      this.id = id;
      this.color = color;
    }
  },
  ThemeColor: class ThemeColor {
    constructor(id) {
      this.id = id;
    }
  },
  MarkdownString: class MarkdownString {
    constructor(value = '') {
      this.value = value;
    }
    appendMarkdown(text) {
      this.value += text;
      return this;
    }
    appendText(text) {
      this.value += text;
      return this;
    }
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  UIKind: { Desktop: 1, Web: 2 },
  commands: namespace({
    registerCommand: noopDisposable,
    executeCommand: () => Promise.resolve(undefined),
  }),
  window: namespace({
    state: { focused: true },
    onDidChangeWindowState: noopEvent,
    createOutputChannel: logChannel,
    createTreeView: () => ({
      visible: false,
      message: undefined,
      onDidChangeVisibility: noopEvent,
      onDidChangeSelection: noopEvent,
      reveal: () => Promise.resolve(),
      dispose: () => undefined,
    }),
    createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    registerTreeDataProvider: noopDisposable,
  }),
  workspace: namespace({
    workspaceFolders: undefined,
    textDocuments: [],
    getConfiguration: () => ({
      get: (_key, fallback) => fallback,
      has: () => false,
      inspect: () => undefined,
    }),
    onDidChangeConfiguration: noopEvent,
  }),
  env: namespace({ appHost: 'stub', remoteName: undefined, uiKind: 1 }),
  languages: namespace({}),
  authentication: namespace({
    registerAuthenticationProvider: noopDisposable,
    onDidChangeSessions: noopEvent,
  }),
};

function memento() {
  const values = new Map();
  return {
    keys: () => [...values.keys()],
    get: (key, fallback) => (values.has(key) ? values.get(key) : fallback),
    update: (key, value) => {
      values.set(key, value);
      return Promise.resolve();
    },
    setKeysForSync: () => undefined,
  };
}

/** A context over a fresh, empty storage folder (removed at the end). */
function context(root) {
  return {
    subscriptions: [],
    extensionMode: vscodeStub.ExtensionMode.Production,
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: () => Promise.resolve(undefined),
      store: () => Promise.resolve(),
      delete: () => Promise.resolve(),
      keys: () => Promise.resolve([]),
      onDidChange: noopEvent,
    },
    globalStorageUri: Uri.file(path.join(root, 'global')),
    storageUri: undefined,
    logUri: Uri.file(path.join(root, 'log')),
    extensionUri: Uri.file(root),
    extensionPath: root,
  };
}

/** Counts calls to `object[name]` functions while `counting` is on. */
function countCalls(object, names, label, calls, state) {
  for (const name of names) {
    const original = object[name];
    if (typeof original !== 'function') continue;
    object[name] = function (...args) {
      if (state.counting) calls.push(`${label}.${name}`);
      return original.apply(this, args);
    };
  }
}

const { installFakeTimers, realSleep } = require('./probeTimers');

async function main() {
  const bundle = path.resolve(process.argv[2] ?? 'dist/extension.js');
  const builtins = new Set();
  /** The files under dist/vendor/ and later.js, if loaded (each is meant for first use, not for the start). */
  const vendor = new Set();
  const originalLoad = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return vscodeStub;
    if (Module.isBuiltin(request)) builtins.add(request.replace(/^node:/, ''));
    else if (request.startsWith('./vendor/')) vendor.add(request.slice('./vendor/'.length));
    else if (request === './later.js') vendor.add('later.js');
    return originalLoad.call(this, request, parent, isMain);
  };
  const state = { counting: false };
  const fsCalls = [];
  const netCalls = [];
  const fsNames = [
    'stat',
    'lstat',
    'readdir',
    'opendir',
    'readFile',
    'open',
    'access',
    'mkdir',
    'rm',
    'unlink',
    'rename',
    'writeFile',
  ];
  countCalls(fs, fsNames, 'fs', fsCalls, state);
  countCalls(fs, fsNames.map((name) => `${name}Sync`).concat(['existsSync']), 'fs', fsCalls, state);
  countCalls(fs.promises, fsNames, 'fs.promises', fsCalls, state);
  countCalls(fs, ['watch', 'watchFile', 'link', 'utimes', 'copyFile'], 'fs', fsCalls, state);
  countCalls(fs.promises, ['link', 'utimes', 'copyFile', 'watch'], 'fs.promises', fsCalls, state);
  countCalls(net, ['connect', 'createConnection'], 'net', netCalls, state);
  countCalls(net.Socket.prototype, ['connect'], 'net.Socket', netCalls, state);

  const option = (name) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const simulated = Number(option('--idle-simulated') ?? 0);
  const real = Number(option('--idle-real') ?? 0);
  const fake = simulated > 0 ? installFakeTimers() : undefined;

  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const extension = require(bundle);
  const loaded = performance.now();
  state.counting = true;
  const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'cbj-activation-probe-'));
  const ctx = context(root);
  const seed = option('--seed');
  if (seed) {
    state.counting = false;
    fs.cpSync(seed, ctx.globalStorageUri.fsPath, { recursive: true });
    state.counting = true;
  }
  await extension.activate(ctx);
  const activated = performance.now();
  const cpu = process.cpuUsage(cpuStarted);
  // Anything activate() started without awaiting (timers at 0, promise chains) gets a moment to show.
  await realSleep(50);
  if (fake) {
    await fake.advance(0); // what activate() armed at 0
  }
  state.counting = false;
  const activationFsCalls = fsCalls.splice(0);
  let idle;
  if (simulated > 0 || real > 0) {
    // What the window does on its own once started: settled first, then measured.
    await (fake ? fake.advance(3000) : realSleep(3000));
    fsCalls.length = 0;
    state.counting = true;
    const idleCpu = process.cpuUsage();
    const idleStarted = performance.now();
    await (fake ? fake.advance(simulated * 1000) : realSleep(real * 1000));
    const used = process.cpuUsage(idleCpu);
    state.counting = false;
    idle = {
      seconds: fake ? simulated : real,
      simulated: Boolean(fake),
      wallMs: performance.now() - idleStarted,
      cpuMs: (used.user + used.system) / 1000,
      fsCalls: fsCalls.length,
      fsCallNames: [...new Set(fsCalls)].sort(),
      watchers: process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length,
      timers: fake ? fake.pending() : undefined,
    };
  }

  // deactivate resolves once the lease's release is written.
  await extension.deactivate?.();
  for (const item of ctx.subscriptions) item.dispose?.();
  fake?.restore(); // after deactivate: its timers are fake ones
  // Writes activate() started may still be finishing: an asynchronous rm lets them, retrying a
  // folder that is not empty yet.
  await fs.promises.rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  process.stdout.write(
    `${JSON.stringify({
      requireMs: loaded - started,
      activateMs: activated - loaded,
      totalMs: activated - started,
      // CPU time of the same span: on a busy machine wall time also counts the wait for a core.
      cpuMs: (cpu.user + cpu.system) / 1000,
      builtins: [...builtins].sort(),
      vendor: [...vendor].sort(),
      fsCalls: activationFsCalls,
      netCalls,
      idle,
    })}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
