// Dollar amounts for the command line's summary, formatted as en-US toLocaleString does but without loading Intl.

/**
 * `$99,098.43` exactly as toLocaleString("en-US", two decimals) gives it (the shortest decimal form
 * rounded half away from zero, minus kept on a negative zero), without Intl's start-up cost (~15 ms on
 * first use); non-finite values and magnitudes whose shortest form has an exponent go to Intl.
 */
export const money = (x: number) => {
  const digits = String(Math.abs(x));
  if (!Number.isFinite(x) || digits.includes("e")) return `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const [whole, fraction = ""] = digits.split(".");
  const cents = (BigInt(whole + fraction.slice(0, 2).padEnd(2, "0")) + (fraction.charCodeAt(2) >= 53 ? 1n : 0n)).toString().padStart(3, "0");
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  return `$${sign}${cents.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ",")}.${cents.slice(-2)}`;
};
