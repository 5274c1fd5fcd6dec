#!/usr/bin/env python3
"""gen_hf_log.py: writes a realistic Hugging Face Trainer log as CloudWatch stores it.

Usage: gen_hf_log.py OUT [LINES]   (LINES defaults to 2,000,000)
Also writes OUT.defs: the metric definitions the benchmark applies (NAME<TAB>REGEX per line),
i.e. the Hugging Face/SageMaker notebook list (dict style) plus the documented "key = value" ones.

The log mixes what a SageMaker HF job really prints (AWS_NOTES.md section 6): toolkit lines,
tqdm progress bars whose carriage returns CloudWatch shows as the literal text "#015" (several
segments per event), Trainer dict lines with full-precision learning rates (2.87e-05), eval
progress bars, eval dicts, warnings, and at the end the "***** train/eval metrics *****" blocks.
Deterministic (fixed seed) so runs compare.
"""
import random
import sys

DEFS = [
    ("loss", r"'loss': ([0-9]+(.|e\-)[0-9]+),?"),
    ("learning_rate", r"'learning_rate': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_loss", r"'eval_loss': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_accuracy", r"'eval_accuracy': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_f1", r"'eval_f1': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_precision", r"'eval_precision': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_recall", r"'eval_recall': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_runtime", r"'eval_runtime': ([0-9]+(.|e\-)[0-9]+),?"),
    ("eval_samples_per_second", r"'eval_samples_per_second': ([0-9]+(.|e\-)[0-9]+),?"),
    ("epoch", r"'epoch': ([0-9]+(.|e\-)[0-9]+),?"),
    ("train_runtime", r"train_runtime.*=\D*(.*?)$"),
    ("eval_accuracy", r"eval_accuracy.*=\D*(.*?)$"),
    ("eval_loss", r"eval_loss.*=\D*(.*?)$"),
]


def bar(done, total, width=10):
    frac = done / total
    full = int(frac * width)
    rest = "\u2588" * full + ("\u258f" if full < width else "")
    return f"{int(frac * 100):3d}%|{rest:<{width}}| {done}/{total}"


def main():
    out = sys.argv[1]
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    rnd = random.Random(1234)
    n = 0
    with open(out, "w", encoding="utf-8", newline="\n") as f, open(out + ".defs", "w") as d:
        for name, rx in DEFS:
            d.write(f"{name}\t{rx}\n")

        def w(line):
            nonlocal n
            f.write(line)
            f.write("\n")
            n += 1

        w("2022-06-26 18:34:01,512 sagemaker-training-toolkit INFO     Imported framework "
          "sagemaker_pytorch_container.training")
        w("2022-06-26 18:34:01,540 sagemaker-training-toolkit INFO     No Neurons detected "
          "(normal if no neurons installed)")
        w("Training Env:")
        w('{"additional_framework_parameters": {}, "channel_input_dirs": {"train": '
          '"/opt/ml/input/data/train"}, "current_host": "algo-1", "hosts": ["algo-1"]}')
        w("[INFO|trainer.py:1419] 2022-06-26 18:34:20,101 >> ***** Running training *****")
        w("[INFO|trainer.py:1420] 2022-06-26 18:34:20,101 >>   Num examples = 25000")
        w("[INFO|trainer.py:1421] 2022-06-26 18:34:20,101 >>   Num Epochs = 3")
        total = max(1000, int(target * 2.2))
        step = 0
        lr0 = 5e-05
        epoch_steps = total // 3
        while n < target - 40:
            r = rnd.random()
            if r < 0.62:
                # one CloudWatch event holding several tqdm refreshes
                segs = []
                for _ in range(rnd.randint(1, 6)):
                    step = min(step + 1, total)
                    rate = 6 + rnd.random()
                    segs.append(f"{bar(step, total)} [{step // 360:02d}:{step % 60:02d}<"
                                f"{(total - step) // 360:02d}:{(total - step) % 60:02d}, "
                                f"{rate:.2f}it/s]")
                w("#015".join(segs))
            elif r < 0.86:
                lr = lr0 * (1 - step / total) + 1e-9
                loss = max(0.01, 0.7 * (1 - step / total) + rnd.gauss(0, 0.03))
                if rnd.random() < 0.5:
                    w(f"{{'loss': {loss:.4f}, 'learning_rate': {lr!r}, "
                      f"'epoch': {step / epoch_steps:.2f}}}")
                else:
                    w(f"{{'loss': {loss:.4f}, 'grad_norm': {rnd.random() * 4:.6f}, "
                      f"'learning_rate': {lr!r}, 'epoch': {step / epoch_steps:.2f}}}")
            elif r < 0.93:
                w(f"[INFO|trainer.py:2340] 2022-06-26 19:{rnd.randint(0, 59):02d}:"
                  f"{rnd.randint(0, 59):02d},{rnd.randint(0, 999):03d} >> Saving model checkpoint "
                  f"to /opt/ml/checkpoints/checkpoint-{step}")
            elif r < 0.97:
                segs = [f"{bar(i, 157)} [00:{i // 4:02d}<00:{(157 - i) // 4:02d}, 38.5{i % 10}it/s]"
                        for i in range(rnd.randint(1, 150), 158, 37)]
                w("#015".join(segs))
            elif r < 0.995:
                w("/opt/conda/lib/python3.8/site-packages/transformers/optimization.py:306: "
                  "FutureWarning: This implementation of AdamW is deprecated and will be removed "
                  "in a future version. Use the PyTorch implementation torch.optim.AdamW instead")
            else:
                acc = min(0.99, 0.8 + step / total * 0.15 + rnd.gauss(0, 0.005))
                w(f"{{'eval_loss': {0.35 - step / total * 0.1:.16f}, 'eval_accuracy': {acc:.4f}, "
                  f"'eval_f1': {acc - 0.002:.16f}, 'eval_precision': {acc + 0.001:.4f}, "
                  f"'eval_recall': {acc - 0.003:.4f}, 'eval_runtime': {41 + rnd.random():.4f}, "
                  f"'eval_samples_per_second': {242 + rnd.random():.3f}, "
                  f"'eval_steps_per_second': {3.8 + rnd.random() / 10:.3f}, "
                  f"'epoch': {step / epoch_steps:.2f}}}")
        w("{'train_runtime': 8741.9143, 'train_samples_per_second': 57.197, "
          "'train_steps_per_second': 1.789, 'train_loss': 0.24113, 'epoch': 3.0}")
        w("***** train metrics *****")
        w("  epoch                    =        3.0")
        w("  train_loss               =     0.2411")
        w("  train_runtime            = 2:25:41.91")
        w("  train_samples            =      25000")
        w("  train_samples_per_second =     57.197")
        w("***** eval metrics *****")
        w("  epoch                   =        3.0")
        w("  eval_accuracy           =     0.9301")
        w("  eval_loss               =     0.2398")
        w("  eval_runtime            = 0:00:41.19")
        while n < target:
            w("2022-06-26 21:00:01,123 sagemaker-training-toolkit INFO     Reporting training "
              "SUCCESS")


if __name__ == "__main__":
    main()
