import { enableCompileCache } from 'node:module';

// Imported first by the entry points: V8 keeps compiled code of every module loaded afterwards
// on disk (os.tmpdir()/node-compile-cache), so later starts skip most of the compilation.
enableCompileCache();
