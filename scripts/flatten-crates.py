#!/usr/bin/env python3
"""Flatten several crates (from ~/.cargo/registry/src) into one crate, each crate a
top-level module, for `seamline eval`: each crate's src/ goes to src/<name>/ (lib.rs ->
mod.rs), `crate::`/`$crate::` paths become `crate::<name>::`, paths to sibling crates
(`<sibling>::`, `::<sibling>::`) become `crate::<sibling>::`. Writes truth.json mapping
every file to its original crate. Best effort: macros, `extern crate` and renamed
dependencies may stay unresolved (seamline reports them as diagnostics).

Usage: scripts/flatten-crates.py OUT_DIR CRATE_DIR...
  (CRATE_DIR like ~/.cargo/registry/src/index.crates.io-*/regex-1.13.2; sibling paths are
  rewritten only for crates that the crate's Cargo.toml depends on, renames followed)
Then: seamline eval --truth OUT_DIR/truth.json   (see docs/metrics.md)
"""
import json
import os
import re
import shutil
import sys


def crate_name(d):
    base = os.path.basename(d.rstrip('/'))
    name = re.match(r'^(.*?)-\d+\.\d+\.\d+.*$', base).group(1)
    return name.replace('-', '_')


def lib_root(d):
    # [lib] path = ... in Cargo.toml, else src/lib.rs
    toml = open(os.path.join(d, 'Cargo.toml')).read()
    m = re.search(r'\[lib\][^\[]*?\bpath\s*=\s*"([^"]+)"', toml, re.S)
    return m.group(1) if m else 'src/lib.rs'


def used_deps(d, names):
    """Used name -> flattened module name, for the dependencies of the crate at d that are
    among the flattened crates (normal dependencies only, renames followed)."""
    import tomllib
    manifest = tomllib.load(open(os.path.join(d, 'Cargo.toml'), 'rb'))
    tables = [manifest.get('dependencies', {})]
    for target in manifest.get('target', {}).values():
        tables.append(target.get('dependencies', {}))
    out = {}
    for table in tables:
        for key, spec in table.items():
            package = spec.get('package', key) if isinstance(spec, dict) else key
            package = package.replace('-', '_')
            if package in names:
                out[key.replace('-', '_')] = package
    return out


def main():
    out = sys.argv[1]
    dirs = sys.argv[2:]
    names = [crate_name(d) for d in dirs]
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, 'src'))
    sib = '|'.join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    labels = {}
    for d, name in zip(dirs, names):
        root = lib_root(d)
        src_dir = os.path.dirname(os.path.join(d, root))
        dst_dir = os.path.join(out, 'src', name)
        shutil.copytree(src_dir, dst_dir)
        root_dst = os.path.join(dst_dir, os.path.basename(root))
        os.rename(root_dst, os.path.join(dst_dir, 'mod.rs'))
        # Drop other binaries' entry points (src/main.rs, src/bin) that are not modules.
        for extra in ('main.rs', 'bin'):
            p = os.path.join(dst_dir, extra)
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.isfile(p):
                os.remove(p)
        deps = used_deps(d, names)
        sib = '|'.join(re.escape(n) for n in sorted(deps, key=len, reverse=True)) or 'NO_SIBLING_CRATE'
        others_use = re.compile(r'(?<![\w:])(?:::)?(' + sib + r')\b(?=\s*[;{]| as )')
        ext = re.compile(r'^\s*(?:pub\s+)?extern\s+crate\s+(' + sib + r')\s*(?:as\s+\w+\s*)?;', re.M)
        for dirpath, _, files in os.walk(dst_dir):
            for f in files:
                if not f.endswith('.rs'):
                    continue
                p = os.path.join(dirpath, f)
                text = open(p, encoding='utf-8', errors='replace').read()

                # Sibling crates first (on the original text), in one pass with `crate::`.
                combined = re.compile(r'(?<![\w:])(?:(\$?crate)|(?:::)?(' + sib + r'))::')

                def repl_all(m):
                    if m.group(1):
                        return m.group(1) + '::' + name + '::'
                    return 'crate::' + deps[m.group(2)] + '::'

                text = ext.sub('', text)
                text = combined.sub(repl_all, text)
                text = others_use.sub(lambda m: 'crate::' + deps[m.group(1)], text)
                open(p, 'w', encoding='utf-8').write(text)
                rel = os.path.relpath(p, out).replace(os.sep, '/')
                labels[rel] = name
    with open(os.path.join(out, 'src', 'lib.rs'), 'w') as f:
        f.write('//! Flattened: ' + ', '.join(names) + '\n')
        for n in names:
            f.write('pub mod %s;\n' % n)
    with open(os.path.join(out, 'Cargo.toml'), 'w') as f:
        f.write('[package]\nname = "flat"\nversion = "0.1.0"\nedition = "2021"\n\n[workspace]\n')
    with open(os.path.join(out, 'truth.json'), 'w') as f:
        json.dump({'labels': labels}, f, indent=1, sort_keys=True)
    print('%s: %d crates, %d files' % (out, len(names), len(labels)))


main()
