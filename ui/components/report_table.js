// A report's table drawn as Quasar's dense table draws it (the same elements and classes),
// by one component: QTable made a component per cell, and the reports page's tables were
// much of the time the page took to appear (bench/reports.py).
export default {
  template: `
    <div class="q-table__container q-table--horizontal-separator column no-wrap q-table__card
                q-table--flat q-table--bordered q-table--dense">
      <div class="q-table__middle scroll">
        <table class="q-table">
          <thead>
            <tr>
              <th v-for="col in columns" :key="col.name" :class="'text-' + (col.align || 'left')">
                {{ col.label }}
              </th>
            </tr>
          </thead>
          <tbody>
            <tr v-for="row in rows" :key="row[rowKey]">
              <td v-for="col in columns" :key="col.name" :class="'text-' + (col.align || 'left')">
                {{ row[col.field] }}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  `,
  props: {
    columns: Array,
    rows: Array,
    rowKey: String,
  },
};
