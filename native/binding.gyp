{
  "targets": [
    {
      "target_name": "groupnas_native",
      "sources": [
        "src/addon.c",
        "src/cpu.c",
        "src/geometry.c",
        "src/float-ops.c",
        "src/pool.c",
        "src/addon-train.c",
        "src/conv-train.c",
        "src/batch-norm.c",
        "src/sign-conv.c",
        "src/mix-train.c",
        "src/mixed-quantize.c",
        "src/optimizer-step.c",
        "src/avg-pool.c",
        "src/relu.c",
        "src/magnitude-aware-sign.c",
        "src/train-avx512.c",
        "src/train-avx2.c",
        "src/train-portable.c",
        "src/path-avx512.c",
        "src/path-avx2.c",
        "src/path-popcnt.c",
        "src/path-portable.c"
      ],
      "cflags": ["-std=c11", "-O3", "-ffp-contract=off", "-fno-strict-aliasing", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS=='linux' and '<!(echo $GROUPNAS_NATIVE_ASAN)'=='1'", {
          "cflags": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
          "ldflags": ["-fsanitize=address"]
        }]
      ]
    }
  ]
}
