// ferrobt's public API: the native bar store, the Lumibot-style strategy API and the backtest engine
// (the pure-TS reference backend is the separate entry ferrobt/reference).

export { BarStore, generateSample, type OpenOptions, type ResampleOptions, type IngestReport } from "./store/BarStore.js";
export { Bars, type Bar, type BarColumnsView } from "./store/Bars.js";
export { FerrobtError, type ErrorCode } from "./errors.js";
export type { TimeInput } from "./time.js";
export type { DataSource } from "./data/DataSource.js";
export { MemorySource, type BarArrays } from "./data/MemorySource.js";
export { openSource, type Backend } from "./data/open.js";
export { Asset, CONTRACTS, contractAt, contractSpec, type AssetType, type ContractSpec, type ContractMonth } from "./engine/asset.js";
export { MarketCalendar, type CalendarName, type Session } from "./engine/calendar.js";
export { TradingFee } from "./engine/fees.js";
export { Order, type OrderOptions, type OrderSide, type OrderType, type OrderClass, type OrderStatus } from "./engine/order.js";
export type { Position } from "./engine/portfolio.js";
export { Strategy, Vars } from "./engine/strategy.js";
export { Backtest, StrategyError, type BacktestOptions, type BacktestResult } from "./engine/backtest.js";
export type { FillModel, FillRecord } from "./engine/broker.js";
export type { StatsRow, SummaryStats } from "./engine/stats.js";
export { writeResults, statsDocument, type ResultFiles } from "./results/write.js";
