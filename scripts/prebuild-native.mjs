#!/usr/bin/env node
// Before `npm pack`/`npm publish`: put the addon built here into prebuilds/<platform>-<arch>/ (the
// prebuildify layout), so an install on a machine without a C compiler still has the native engine.
// The package's install script compiles its own first when it can; src/util/native-addon.ts
// prefers that one. Without a built addon the package ships none and says so.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'native', 'build', 'Release', 'groupnas_native.node');
const prebuilds = join(root, 'prebuilds');
rmSync(prebuilds, { recursive: true, force: true });
if (!existsSync(built)) {
  console.error('prebuild-native: no native/build/Release/groupnas_native.node (npm run build:native); the package ships no prebuilt addon');
  process.exit(0);
}
const target = join(prebuilds, `${process.platform}-${process.arch}`, 'groupnas_native.node');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(built, target);
console.error(`prebuild-native: ${target}`);
