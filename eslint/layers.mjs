// Local ESLint plugin: the architecture's layers as one rule, `layers/imports`.
//
// Each top folder under src/ is a layer. For every module a file names — import,
// `import type`, export-from, require(), import(), `import x = require()`, a type's
// `import('…')`, Vite's import.meta.glob — the rule resolves the specifier against the
// linted file's own path and finds the layer it lands in, so `../../../x`, `./a/../b` or
// `../../src/main/x` cannot sneak past. Bare package names are checked against the
// importer's forbidden packages (electron and electron/*, Node built-ins).
//
// Options: { allow: [{ from, to, reason? }] } lists edges between layers that are allowed
// for now (a move under way); the layering itself lives here, not in the config.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { isBuiltin } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The repository root: this file lives in <root>/eslint/. */
const ROOT = fileURLToPath(new URL('..', import.meta.url))

const ELECTRON = 'electron'
const NODE = 'node built-ins'

/**
 * The layering (architecture document). `may`: the layers a layer may import, itself
 * included. `forbid`: packages it may not import. `electronOnlyIn`: within the layer, the
 * only files that may import electron (a folder ends with '/').
 */
export const LAYERS = {
  shared: {
    may: ['shared'],
    forbid: [ELECTRON, NODE],
    where:
      'src/shared is pure TypeScript every process loads: keep it free of process code; what needs more belongs in src/core (no process) or in the process that needs it',
  },
  core: {
    may: ['core', 'shared'],
    forbid: [ELECTRON],
    where:
      'src/core has no process: move what both need into src/core (or src/shared), or have src/main / src/server pass it in (an interface in src/core, the implementation in the process)',
  },
  main: {
    may: ['main', 'core', 'shared'],
    electronOnlyIn: ['app/', 'ipc/', 'index.ts'],
    where:
      'src/main is the console process: code it shares with the server goes in src/core, with the renderer in src/shared; the renderer is reached through IPC only',
  },
  server: {
    may: ['server', 'core', 'shared'],
    forbid: [ELECTRON],
    where:
      'src/server is the central server: code it shares with the console goes in src/core (or src/shared); it never loads console or Electron code',
  },
  renderer: {
    may: ['renderer', 'shared'],
    forbid: [ELECTRON, NODE],
    where:
      'src/renderer is the sandboxed page: it reaches the core only through src/renderer/api.ts and the contract in src/shared',
  },
  preload: {
    may: ['preload', 'shared'],
    where:
      'src/preload is only the bridge: it may use electron and src/shared (the contract), nothing else of ours',
  },
}

const LAYER_NAMES = Object.keys(LAYERS)

/** 'electron/main' → 'electron', '@a/b/c' → '@a/b', 'node:fs' → 'node:fs'. */
function packageName(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** The forbidden-package group a bare specifier belongs to, if any. */
function packageGroup(specifier) {
  if (packageName(specifier) === ELECTRON) return ELECTRON
  if (isBuiltin(specifier)) return NODE
  return null
}

/** Path segments of `absolute` under the root, or null when it is outside the root. */
function segmentsUnderRoot(absolute, root) {
  const rel = relative(root, absolute)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return rel === '' ? [] : null
  return rel.split(sep)
}

/** Which layer an absolute path is in: { layer, inLayer } , { layer: null } for src itself, or undefined outside src/. */
function locate(absolute, root) {
  const segments = segmentsUnderRoot(absolute, root)
  if (!segments || segments[0] !== 'src') return undefined
  if (segments.length < 2) return { layer: null, inLayer: '' }
  return { layer: segments[1], inLayer: segments.slice(2).join('/') }
}

/** Drops Vite's ?query and #hash suffixes. */
function stripQuery(specifier) {
  return specifier.replace(/[?#].*$/, '')
}

function isPathSpecifier(specifier) {
  return (
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    specifier.startsWith('file:') ||
    /^[A-Za-z]:[\\/]/.test(specifier)
  )
}

function staticString(node) {
  if (!node) return null
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked
  return null
}

/** @type {import('eslint').Rule.RuleModule} */
const importsRule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Enforce the architecture layers: which src/ folder may import which, and who may import electron or Node built-ins',
    },
    schema: [
      {
        type: 'object',
        properties: {
          allow: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                from: { enum: LAYER_NAMES },
                to: { enum: LAYER_NAMES },
                reason: { type: 'string' },
              },
              required: ['from', 'to'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      layer: "src/{{from}} may not import src/{{to}} ('{{specifier}}'). {{where}}.",
      outsideLayers:
        "src/{{from}} may not import '{{specifier}}': it lands in {{target}}, which is not a layer. {{where}}.",
      electron:
        "{{file}} may not import electron ('{{specifier}}'): only src/main/app/**, src/main/ipc/**, src/main/index.ts and src/preload do. {{where}}.",
      node: "src/{{from}} may not import the Node built-in '{{specifier}}'. {{where}}.",
      globReach:
        "import.meta.glob('{{specifier}}') in src/{{from}} can reach other layers: start the pattern inside a layer folder.",
    },
  },

  create(context) {
    const root = ROOT
    const filename = context.filename
    if (!filename || !isAbsolute(filename)) return {}
    const here = locate(filename, root)
    if (!here || !here.layer || !(here.layer in LAYERS)) return {}
    const from = here.layer
    const policy = LAYERS[from]
    const allowed = new Set([
      ...policy.may,
      ...(context.options[0]?.allow ?? []).filter((edge) => edge.from === from).map((edge) => edge.to),
    ])
    const fileDir = dirname(filename)
    const fileLabel = `src/${from}/${here.inLayer}`

    function checkPackage(node, specifier, name) {
      const group = packageGroup(name)
      if (group === ELECTRON) {
        const only = policy.electronOnlyIn
        const forbidden =
          policy.forbid?.includes(ELECTRON) ||
          (only &&
            !only.some((place) =>
              place.endsWith('/') ? here.inLayer.startsWith(place) : here.inLayer === place,
            ))
        if (forbidden) {
          context.report({
            node,
            messageId: 'electron',
            data: { file: fileLabel, specifier, where: policy.where },
          })
        }
      } else if (group === NODE && policy.forbid?.includes(NODE)) {
        context.report({ node, messageId: 'node', data: { from, specifier, where: policy.where } })
      }
    }

    function checkPath(node, specifier, target) {
      // A path into node_modules is a package all the same.
      const segments = target.split(sep)
      const nm = segments.lastIndexOf('node_modules')
      if (nm >= 0 && nm < segments.length - 1) {
        checkPackage(node, specifier, segments.slice(nm + 1).join('/'))
        return
      }
      const there = locate(target, root)
      if (!there) return // outside src/ (resources, package.json…): not a layer
      if (there.layer && there.layer in LAYERS) {
        if (!allowed.has(there.layer)) {
          context.report({
            node,
            messageId: 'layer',
            data: { from, to: there.layer, specifier, where: policy.where },
          })
        }
        return
      }
      context.report({
        node,
        messageId: 'outsideLayers',
        data: {
          from,
          specifier,
          target: there.layer ? `src/${there.layer}` : 'src/',
          where: policy.where,
        },
      })
    }

    function check(node, raw) {
      if (typeof raw !== 'string' || raw === '') return
      const specifier = stripQuery(raw)
      if (isPathSpecifier(specifier)) {
        const target = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(fileDir, specifier)
        checkPath(node, raw, target)
      } else {
        checkPackage(node, raw, specifier)
      }
    }

    function checkGlob(node, pattern) {
      if (typeof pattern !== 'string') return
      const positive = pattern.replace(/^!/, '')
      const staticPart = positive.split(/[*?{[]/)[0]
      const dir = staticPart.endsWith('/') ? staticPart : dirname(staticPart)
      const target = resolve(fileDir, dir || '.')
      const there = locate(target, root)
      const srcDir = resolve(root, 'src')
      const reachesSrc = segmentsUnderRoot(srcDir, target) !== null // target is src/ or above it
      if ((there && there.layer && there.layer in LAYERS) || !reachesSrc) {
        checkPath(node, pattern, target)
      } else {
        context.report({ node, messageId: 'globReach', data: { from, specifier: pattern } })
      }
    }

    /** Names bound to createRequire(…) results in this file. */
    const requireAliases = new Set(['require'])

    function isCreateRequire(callee) {
      return (
        (callee.type === 'Identifier' && callee.name === 'createRequire') ||
        (callee.type === 'MemberExpression' &&
          !callee.computed &&
          callee.property.type === 'Identifier' &&
          callee.property.name === 'createRequire')
      )
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => {
        const value = staticString(node.source)
        if (value !== null) check(node.source, value)
      },
      TSImportType: (node) => {
        const source = node.source ?? node.argument?.literal
        if (source) check(source, source.value)
      },
      TSExternalModuleReference: (node) => {
        const value = staticString(node.expression)
        if (value !== null) check(node.expression, value)
      },
      VariableDeclarator: (node) => {
        if (
          node.id.type === 'Identifier' &&
          node.init?.type === 'CallExpression' &&
          isCreateRequire(node.init.callee)
        ) {
          requireAliases.add(node.id.name)
        }
      },
      CallExpression: (node) => {
        const { callee } = node
        const arg = node.arguments[0]
        const isRequire =
          (callee.type === 'Identifier' && requireAliases.has(callee.name)) ||
          // module.require(…), process.mainModule.require(…)
          (callee.type === 'MemberExpression' &&
            !callee.computed &&
            callee.property.type === 'Identifier' &&
            callee.property.name === 'require') ||
          // createRequire(import.meta.url)(…)
          (callee.type === 'CallExpression' && isCreateRequire(callee.callee))
        if (isRequire) {
          const value = staticString(arg)
          if (value !== null) check(arg, value)
          return
        }
        // Vite: import.meta.glob('…') / import.meta.glob(['…', '…'])
        if (
          callee.type === 'MemberExpression' &&
          callee.object.type === 'MetaProperty' &&
          callee.object.meta.name === 'import' &&
          callee.property.type === 'Identifier' &&
          (callee.property.name === 'glob' || callee.property.name === 'globEager')
        ) {
          const patterns = arg?.type === 'ArrayExpression' ? arg.elements : [arg]
          for (const element of patterns) {
            const value = staticString(element)
            if (value !== null) checkGlob(element, value)
          }
        }
      },
    }
  },
}

export default {
  meta: { name: 'layers' },
  rules: { imports: importsRule },
}
