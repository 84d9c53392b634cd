/**
 * ECharts with only what the dashboard draws: bars and pies on a canvas, with axes, legend,
 * a canvas-drawn tooltip and the ARIA description. Nothing here evaluates code or writes
 * inline styles, so the renderer's CSP (src/shared/csp.ts) holds.
 */
import { use } from 'echarts/core'
import { BarChart, PieChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([CanvasRenderer, BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent])
