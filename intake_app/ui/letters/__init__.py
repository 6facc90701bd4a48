"""Letters: preview, print, save, and batches."""
