// Decoding a stored histogram (histograms.json) with an error that says where: text that is not an
// encoded HDR histogram (cut short, edited, from another tool) is a one-line usage error (exit 2)
// naming the file and the field, never the codec's own exception.
import { usageError } from '../errors.ts';
import { decodeHistogram } from '../histogram.ts';
import type { Histogram } from '../histogram.ts';

export const CORRUPT_HISTOGRAMS = 'the file is corrupt or was cut short; run again';

/** Decodes `encoded`; `where` is e.g. "reports/x/histograms.json:12: /endpoints/'GET /a'/histogram". */
export function decodeStored(encoded: string, where: string): Histogram {
  let histogram: Histogram;
  try {
    histogram = decodeHistogram(encoded);
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw usageError(`${where} is not an encoded histogram (${why}); ${CORRUPT_HISTOGRAMS}`);
  }
  // a header that decodes to nonsense (negative or non-finite counts) is as corrupt as one that does not decode
  if (!Number.isSafeInteger(histogram.totalCount) || histogram.totalCount < 0) {
    throw usageError(`${where} is not an encoded histogram (its count is ${histogram.totalCount}); ${CORRUPT_HISTOGRAMS}`);
  }
  return histogram;
}
