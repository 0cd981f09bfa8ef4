// The client's ticket list drawn as Quasar's table draws it (the same elements and
// classes), by one component: QTable made a component per cell slot and per badge, and
// those were most of the time the list took to appear (bench/webui.py).
export default {
  template: `
    <div :class="containerClass">
      <div class="q-table__middle scroll">
        <table class="q-table">
          <thead>
            <tr>
              <th v-for="col in shown" :key="col.name" :class="headClass(col)" @click="sort(col)">
                {{ col.label }}<i v-if="col.sortable"
                  class="q-icon notranslate material-icons q-table__sort-icon q-table__sort-icon--left"
                  aria-hidden="true">arrow_upward</i>
              </th>
            </tr>
          </thead>
          <tbody>
            <tr v-for="row in ordered" :key="row[rowKey]" class="cursor-pointer" @click="open($event, row)">
              <td v-for="col in shown" :key="col.name" :class="'text-' + (col.align || 'left')">
                <a v-if="col.name === 'number'" :href="row.href"
                  class="text-primary font-medium no-underline">#{{ row.number }}</a>
                <div v-else-if="col.name === 'status'" class="column items-start q-gutter-y-xs">
                  <div :class="'q-badge flex inline items-center no-wrap q-badge--single-line bg-'
                      + row.status_color + ' text-sm px-3 py-1 rounded-full'"
                    role="status" :aria-label="row.status">{{ row.status }}</div>
                  <div v-if="row.remarks"
                    class="q-badge flex inline items-center no-wrap q-badge--single-line q-badge--outline text-orange-9 remarks"
                    role="status" :aria-label="remarksLabel">{{ remarksLabel }}</div>
                </div>
                <template v-else>{{ row[col.field] }}</template>
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
    phoneColumns: Array, // what a phone shows, dense
    remarksLabel: String,
  },
  data() {
    return { sortBy: null, descending: false };
  },
  computed: {
    phone() {
      return this.$q.screen.xs;
    },
    shown() {
      return this.phone ? this.columns.filter((c) => this.phoneColumns.includes(c.name)) : this.columns;
    },
    containerClass() {
      return "q-table__container q-table--horizontal-separator column no-wrap q-table__card"
        + " q-table--flat q-table--bordered q-table--wrap-cells" + (this.phone ? " q-table--dense" : "");
    },
    ordered() {
      if (this.sortBy === null) return this.rows;
      const field = this.columns.find((c) => c.name === this.sortBy).field;
      const direction = this.descending ? -1 : 1;
      return [...this.rows].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) * direction);
    },
  },
  methods: {
    headClass(col) {
      let name = "text-" + (col.align || "left");
      if (col.sortable) name += " sortable";
      if (col.name === this.sortBy) name += " sorted" + (this.descending ? " sort-desc" : "");
      return name;
    },
    // Quasar's order of a column's clicks: ascending, descending, unsorted.
    sort(col) {
      if (!col.sortable) return;
      if (this.sortBy !== col.name) {
        this.sortBy = col.name;
        this.descending = false;
      } else if (!this.descending) {
        this.descending = true;
      } else {
        this.sortBy = null;
      }
    },
    open(event, row) {
      if (event.target.closest("a")) return; // the number's link opens the card itself
      window.location.assign(row.href);
    },
  },
};
