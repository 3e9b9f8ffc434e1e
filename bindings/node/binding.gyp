{
  "targets": [{
    "target_name": "vidgo",
    "sources": [
      "src/addon.c", "src/vgn_val.c", "src/vgn_op.c", "src/vgn_handle.c", "src/vgn_emitter.c",
      "src/context.c", "src/readers.c", "src/accounts.c", "src/plans.c", "src/credits.c", "src/cache.c",
      "src/providers.c", "src/generate.c", "src/payments.c"
    ],
    "include_dirs": ["<!@(node scripts/libvidgo-flags.js include)"],
    "libraries": ["<!@(node scripts/libvidgo-flags.js libs)"],
    "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
  }]
}
