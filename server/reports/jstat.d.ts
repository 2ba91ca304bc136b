// The part of jstat (which ships no types) that the report statistics use.
declare module 'jstat' {
  export const jStat: {
    normal: {
      cdf(x: number, mean: number, std: number): number;
      inv(p: number, mean: number, std: number): number;
    };
  };
}
