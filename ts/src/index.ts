// ferrobt's public API: the native bar store, the Lumibot-style strategy API and the backtest engine
// (the pure-TS reference backend is the separate entry ferrobt/reference).

export type { DataSource } from "./data/DataSource.js";
export { type BarArrays, MemorySource } from "./data/MemorySource.js";
export { type Backend, openSource } from "./data/open.js";
export {
  DataBento,
  type DataBentoEvent,
  type DataBentoOptions,
  type DataBentoSchema,
  type DataBentoWarning,
  type FetchReport,
  type FetchRequest,
  type SymbolReport,
} from "./databento/client.js";
export { Asset, type AssetType, CONTRACTS, type ContractMonth, type ContractSpec, contractAt, contractSpec } from "./engine/asset.js";
export { Backtest, type BacktestOptions, type BacktestResult, StrategyError } from "./engine/backtest.js";
export type { FillModel, FillRecord } from "./engine/broker.js";
export { type CalendarName, MarketCalendar, type Session } from "./engine/calendar.js";
export { TradingFee } from "./engine/fees.js";
export { Order, type OrderClass, type OrderOptions, type OrderSide, type OrderStatus, type OrderType } from "./engine/order.js";
export type { Position } from "./engine/portfolio.js";
export type { StatsRow, SummaryStats } from "./engine/stats.js";
export { Strategy, Vars } from "./engine/strategy.js";
export { type ErrorCode, FerrobtError } from "./errors.js";
export { type ResultFiles, statsDocument, writeResults } from "./results/write.js";
export {
  BarStore,
  type DbnWriteOptions,
  generateSample,
  type IngestReport,
  type Instrument,
  type OpenOptions,
  type ResampleOptions,
} from "./store/BarStore.js";
export { type Bar, type BarColumnsView, Bars } from "./store/Bars.js";
export { type BuildReport, buildCatalog, Catalog, type CatalogOptions, type CatalogStats, type FooterSpan } from "./store/Catalog.js";
export { generateStocks, type StockOptions, type StocksReport } from "./store/stocks.js";
export type { TimeInput } from "./time.js";
