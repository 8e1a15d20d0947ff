import { Stack, Token, Validations } from 'aws-cdk-lib';
import { SecurityGroup, Peer, Port } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDashboard, CfnDataSet, CfnDataSource, CfnVPCConnection } from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import type { Warehouse } from './warehouse';
import {
  conversionFunnel,
  conversionFunnelSql,
  warehouseViews,
  WAREHOUSE_VIEWS,
  type QuickSightColumnType,
  type WarehouseView,
} from './views';

export interface AnalystDashboardsProps {
  readonly namePrefix: string;
  readonly warehouse: Warehouse;
  /**
   * The QuickSight user or group that may use the data source and data sets and view the dashboard.
   * Default: the group `analysts` of the `default` namespace, in this stack's account and region
   * (`arn:<partition>:quicksight:<region>:<account>:group/default/analysts`).
   */
  readonly principalArn?: string;
  /** Products with this many days of cover or fewer (at the recent sales rate), or none left, are low on stock. */
  readonly lowStockDaysOfCover?: number;
}

/** What a reader of a data source, a data set and a dashboard may do: use them, not change or share them. */
const DATA_SOURCE_USER = [
  'quicksight:DescribeDataSource',
  'quicksight:DescribeDataSourcePermissions',
  'quicksight:PassDataSource',
];
const DATA_SET_USER = [
  'quicksight:DescribeDataSet',
  'quicksight:DescribeDataSetPermissions',
  'quicksight:PassDataSet',
  'quicksight:DescribeIngestion',
  'quicksight:ListIngestions',
];
const DASHBOARD_VIEWER = [
  'quicksight:DescribeDashboard',
  'quicksight:ListDashboardVersions',
  'quicksight:QueryDashboard',
];

export const DASHBOARD_SHEET_ID = 'overview';
/** The dashboard's visuals: the same four charts as the local analysts' page (lib/local/dashboard). */
export const DASHBOARD_VISUALS = {
  revenueAndOrders: 'revenue-and-orders-by-day',
  topProducts: 'top-products',
  conversionFunnel: 'conversion-funnel',
  lowStock: 'low-stock-products',
} as const;

type Column = CfnDashboard.ColumnIdentifierProperty;
const column = (dataSetIdentifier: string, columnName: string): Column => ({ dataSetIdentifier, columnName });
const sum = { simpleNumericalAggregation: 'SUM' };
const title = (plainText: string): CfnDashboard.VisualTitleLabelOptionsProperty => ({
  visibility: 'VISIBLE',
  formatText: { plainText },
});
const pounds: CfnDashboard.NumberFormatConfigurationProperty = {
  formatConfiguration: {
    currencyDisplayFormatConfiguration: { symbol: 'GBP', decimalPlacesConfiguration: { decimalPlaces: 2 } },
  },
};

/**
 * QuickSight on the warehouse: a VPC connection into the warehouse's VPC (the workgroup is not public), a
 * Redshift data source on the workgroup's endpoint with the admin secret as credentials and SSL on, a data set
 * per reporting view plus the conversion funnel, and a dashboard with the local analysts' page's charts.
 *
 * Data sets use DIRECT_QUERY, not SPICE: the views are plain views over the facts, always as fresh as the last
 * load (seconds behind the tables' streams), as the analytics API is; SPICE would need refresh schedules and
 * capacity, and would show analysts older figures than the API. The views aggregate small tables, and Redshift
 * Serverless bills only the seconds a query runs.
 *
 * Before the first deployment, in QuickSight's admin settings: an Enterprise subscription, the `analysts` group
 * (or pass principalArn), and Secrets Manager access for QuickSight's service role to the warehouse's admin
 * secret (Security & permissions → Secrets Manager), which QuickSight reads on every connection, so the
 * password rotating does not break the dashboards.
 */
export class AnalystDashboards extends Construct {
  readonly principalArn: string;
  readonly vpcConnection: CfnVPCConnection;
  readonly vpcConnectionRole: Role;
  readonly securityGroup: SecurityGroup;
  readonly dataSource: CfnDataSource;
  readonly dataSets: Readonly<Record<WarehouseView, CfnDataSet>>;
  readonly funnelDataSet: CfnDataSet;
  readonly dashboard: CfnDashboard;

  constructor(scope: Construct, id: string, props: AnalystDashboardsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.principalArn =
      props.principalArn ??
      stack.formatArn({ service: 'quicksight', resource: 'group', resourceName: 'default/analysts' });
    const { warehouse } = props;

    this.securityGroup = this.buildSecurityGroup(warehouse);
    this.vpcConnectionRole = this.buildVpcConnectionRole(warehouse);
    this.vpcConnection = new CfnVPCConnection(this, 'VpcConnection', {
      awsAccountId: stack.account,
      vpcConnectionId: `${props.namePrefix}-warehouse`,
      name: `${props.namePrefix} analytics warehouse`,
      roleArn: this.vpcConnectionRole.roleArn,
      securityGroupIds: [this.securityGroup.securityGroupId],
      subnetIds: warehouse.vpc.isolatedSubnets.map((s) => s.subnetId),
      availabilityStatus: 'AVAILABLE',
    });
    // QuickSight uses the role while it creates the connection's interfaces, and while it deletes them.
    this.vpcConnection.node.addDependency(this.vpcConnectionRole);

    this.dataSource = new CfnDataSource(this, 'DataSource', {
      awsAccountId: stack.account,
      dataSourceId: `${props.namePrefix}-warehouse`,
      name: `${props.namePrefix} analytics warehouse`,
      type: 'REDSHIFT',
      dataSourceParameters: {
        redshiftParameters: {
          host: warehouse.endpoint.host,
          port: warehouse.endpoint.port,
          database: warehouse.target.database,
        },
      },
      credentials: { secretArn: warehouse.secretArn },
      sslProperties: { disableSsl: false },
      vpcConnectionProperties: { vpcConnectionArn: this.vpcConnection.attrArn },
      permissions: [{ principal: this.principalArn, actions: DATA_SOURCE_USER }],
    });

    this.dataSets = this.buildViewDataSets(props.namePrefix);
    this.funnelDataSet = this.buildDataSet(props.namePrefix, conversionFunnel.name, {
      customSql: {
        dataSourceArn: this.dataSource.attrArn,
        name: conversionFunnel.name,
        sqlQuery: conversionFunnelSql,
        columns: inputColumns(conversionFunnel.columns),
      },
    });

    this.dashboard = new CfnDashboard(this, 'Dashboard', {
      awsAccountId: stack.account,
      dashboardId: `${props.namePrefix}-analytics`,
      name: `ECIComm analytics (${props.namePrefix})`,
      definition: this.definition(props.lowStockDaysOfCover ?? 14),
      dashboardPublishOptions: {
        adHocFilteringOption: { availabilityStatus: 'ENABLED' },
        exportToCsvOption: { availabilityStatus: 'ENABLED' },
        sheetControlsOption: { visibilityState: 'EXPANDED' },
      },
      permissions: [{ principal: this.principalArn, actions: DASHBOARD_VIEWER }],
      versionDescription: 'Built by the CDK app (lib/contexts/analytics/quicksight.ts)',
    });
  }

  /** QuickSight's side of the network path to the warehouse: out to its port, and its replies back in. */
  private buildSecurityGroup(warehouse: Warehouse): SecurityGroup {
    const securityGroup = new SecurityGroup(this, 'VpcConnectionSecurityGroup', {
      vpc: warehouse.vpc,
      description: 'QuickSight VPC connection to the analytics warehouse',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(
      Peer.securityGroupId(warehouse.securityGroup.securityGroupId),
      Port.tcp(warehouse.endpoint.port),
      'To the Redshift Serverless workgroup',
    );
    // QuickSight's network interfaces are not stateful: the workgroup's replies come back as inbound traffic
    // (QuickSight's VPC connection guide asks for this rule).
    securityGroup.addIngressRule(
      Peer.securityGroupId(warehouse.securityGroup.securityGroupId),
      Port.allTcp(),
      'Replies from the Redshift Serverless workgroup',
    );
    warehouse.allowConnectionsFrom(securityGroup, 'From QuickSight through its VPC connection');
    return securityGroup;
  }

  /** One direct-query data set per warehouse view. */
  private buildViewDataSets(namePrefix: string): Record<WarehouseView, CfnDataSet> {
    const dataSets = {} as Record<WarehouseView, CfnDataSet>;
    for (const view of WAREHOUSE_VIEWS) {
      dataSets[view] = this.buildDataSet(namePrefix, view, {
        relationalTable: {
          dataSourceArn: this.dataSource.attrArn,
          schema: 'public',
          name: view,
          inputColumns: inputColumns(warehouseViews[view]),
        },
      });
    }
    return dataSets;
  }

  private buildDataSet(namePrefix: string, name: string, table: CfnDataSet.PhysicalTableProperty): CfnDataSet {
    return new CfnDataSet(this, `DataSet${name.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
      awsAccountId: Stack.of(this).account,
      dataSetId: `${namePrefix}-${name}`,
      name: `${name} (${namePrefix})`,
      importMode: 'DIRECT_QUERY',
      physicalTableMap: { [name.replaceAll('_', '-')]: table },
      permissions: [{ principal: this.principalArn, actions: DATA_SET_USER }],
    });
  }

  /** The role QuickSight assumes to put its network interfaces in the warehouse's subnets. */
  private buildVpcConnectionRole(warehouse: Warehouse): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'VpcConnectionRole', {
      assumedBy: new ServicePrincipal('quicksight.amazonaws.com'),
      description: 'Lets QuickSight manage the network interfaces of its VPC connection to the analytics warehouse',
    });
    const interfaces = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          interfaces,
          stack.formatArn({
            service: 'ec2',
            resource: 'security-group',
            resourceName: this.securityGroup.securityGroupId,
          }),
          ...warehouse.vpc.isolatedSubnets.map(({ subnetId }) =>
            stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnetId }),
          ),
        ],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ec2:ModifyNetworkInterfaceAttribute', 'ec2:DeleteNetworkInterface'],
        resources: [
          interfaces,
          stack.formatArn({
            service: 'ec2',
            resource: 'security-group',
            resourceName: this.securityGroup.securityGroupId,
          }),
        ],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({ actions: ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'], resources: ['*'] }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeSubnets and ec2:DescribeSecurityGroups are list operations that accept no resource but "*"; they change nothing.',
    });
    // cdk-nag names the region and account as the template has them: literal once the stack has an environment.
    const { region, account } = Stack.of(this);
    const shown = (value: string, token: string) => (Token.isUnresolved(value) ? `<${token}>` : value);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${shown(region, 'AWS::Region')}:${shown(account, 'AWS::AccountId')}:network-interface/*]`,
      reason:
        'QuickSight creates its VPC connection interfaces itself, so their ids are unknown until then; creating one is further limited to the warehouse subnets and the connection security group.',
    });
    return role;
  }

  private definition(lowStockDaysOfCover: number): CfnDashboard.DashboardVersionDefinitionProperty {
    return {
      dataSetIdentifierDeclarations: [
        ...WAREHOUSE_VIEWS.map((view) => ({ identifier: view, dataSetArn: this.dataSets[view].attrArn })),
        { identifier: funnel, dataSetArn: this.funnelDataSet.attrArn },
      ],
      calculatedFields: calculatedFields(lowStockDaysOfCover),
      sheets: [
        {
          sheetId: DASHBOARD_SHEET_ID,
          name: 'Overview',
          visuals: [
            revenueAndOrdersVisual(),
            topProductsVisual(),
            conversionVisual(),
            lowStockVisual(lowStockDaysOfCover),
          ],
          layouts: [overviewLayout()],
        },
      ],
      filterGroups: [lowStockOnly()],
    };
  }
}

function calculatedFields(lowStockDaysOfCover: number): CfnDashboard.CalculatedFieldProperty[] {
  return [
    // Money is integer pence in the warehouse, as everywhere in the platform; analysts read pounds.
    { dataSetIdentifier: daily, name: 'revenue_gbp', expression: '{revenue_pence} / 100' },
    { dataSetIdentifier: products, name: 'revenue_gbp', expression: '{revenue_pence} / 100' },
    // A product the catalog stream has not described yet still shows, by id.
    { dataSetIdentifier: products, name: 'product', expression: 'ifelse(isNull({name}), {product_id}, {name})' },
    { dataSetIdentifier: stock, name: 'product', expression: 'ifelse(isNull({name}), {product_id}, {name})' },
    // Out of stock, or running out at the recent sales rate (days_of_cover is empty for products that do not sell).
    {
      dataSetIdentifier: stock,
      name: 'low_stock',
      expression: `ifelse({available} <= 0, 1, {days_of_cover} <= ${lowStockDaysOfCover}, 1, 0)`,
    },
  ];
}

/** Four visuals on a two-by-two grid (QuickSight's grid is 36 columns wide). */
function overviewLayout(): CfnDashboard.LayoutProperty {
  const half = 18;
  const cell = (elementId: string, columnIndex: number, rowIndex: number): CfnDashboard.GridLayoutElementProperty => ({
    elementId,
    elementType: 'VISUAL',
    columnIndex,
    columnSpan: half,
    rowIndex,
    rowSpan: 12,
  });
  return {
    configuration: {
      gridLayout: {
        elements: [
          cell(visuals.revenueAndOrders, 0, 0),
          cell(visuals.topProducts, half, 0),
          cell(visuals.conversionFunnel, 0, 12),
          cell(visuals.lowStock, half, 12),
        ],
      },
    },
  };
}

/** The low-stock table lists only the products the `low_stock` field flags. */
function lowStockOnly(): CfnDashboard.FilterGroupProperty {
  return {
    filterGroupId: 'low-stock-only',
    crossDataset: 'SINGLE_DATASET',
    status: 'ENABLED',
    filters: [
      {
        numericEqualityFilter: {
          filterId: 'low-stock',
          column: column(stock, 'low_stock'),
          value: 1,
          matchOperator: 'EQUALS',
          nullOption: 'NON_NULLS_ONLY',
        },
      },
    ],
    scopeConfiguration: {
      selectedSheets: {
        sheetVisualScopingConfigurations: [
          { sheetId: DASHBOARD_SHEET_ID, scope: 'SELECTED_VISUALS', visualIds: [visuals.lowStock] },
        ],
      },
    },
  };
}

/** The views the dashboard reads. */
const daily = 'daily_sales_summary' satisfies WarehouseView;
const products = 'product_performance_metrics' satisfies WarehouseView;
const stock = 'inventory_turnover_metrics' satisfies WarehouseView;
const funnel = conversionFunnel.name;
const visuals = DASHBOARD_VISUALS;

/** Revenue (bars) and orders (line) by day. */
function revenueAndOrdersVisual(): CfnDashboard.VisualProperty {
  return {
    comboChartVisual: {
      visualId: visuals.revenueAndOrders,
      title: title('Revenue and orders by day'),
      chartConfiguration: {
        fieldWells: {
          comboChartAggregatedFieldWells: {
            category: [
              {
                dateDimensionField: {
                  fieldId: 'sales-date',
                  column: column(daily, 'sales_date'),
                  dateGranularity: 'DAY',
                },
              },
            ],
            barValues: [
              {
                numericalMeasureField: {
                  fieldId: 'daily-revenue',
                  column: column(daily, 'revenue_gbp'),
                  aggregationFunction: sum,
                  formatConfiguration: pounds,
                },
              },
            ],
            lineValues: [
              {
                numericalMeasureField: {
                  fieldId: 'daily-orders',
                  column: column(daily, 'orders'),
                  aggregationFunction: sum,
                },
              },
            ],
          },
        },
        sortConfiguration: { categorySort: [{ fieldSort: { fieldId: 'sales-date', direction: 'ASC' } }] },
        barsArrangement: 'CLUSTERED',
      },
    },
  };
}

/** The ten products that earn most. */
function topProductsVisual(): CfnDashboard.VisualProperty {
  return {
    barChartVisual: {
      visualId: visuals.topProducts,
      title: title('Top products by revenue'),
      chartConfiguration: {
        orientation: 'HORIZONTAL',
        fieldWells: {
          barChartAggregatedFieldWells: {
            category: [{ categoricalDimensionField: { fieldId: 'top-product', column: column(products, 'product') } }],
            values: [
              {
                numericalMeasureField: {
                  fieldId: 'product-revenue',
                  column: column(products, 'revenue_gbp'),
                  aggregationFunction: sum,
                  formatConfiguration: pounds,
                },
              },
            ],
          },
        },
        sortConfiguration: {
          categorySort: [{ fieldSort: { fieldId: 'product-revenue', direction: 'DESC' } }],
          categoryItemsLimit: { itemsLimit: 10, otherCategories: 'EXCLUDE' },
        },
      },
    },
  };
}

/** Product views → carts → purchases. */
function conversionVisual(): CfnDashboard.VisualProperty {
  return {
    funnelChartVisual: {
      visualId: visuals.conversionFunnel,
      title: title('Conversion funnel: product views → carts → purchases'),
      chartConfiguration: {
        fieldWells: {
          funnelChartAggregatedFieldWells: {
            category: [{ categoricalDimensionField: { fieldId: 'funnel-stage', column: column(funnel, 'stage') } }],
            values: [
              {
                numericalMeasureField: {
                  fieldId: 'funnel-events',
                  column: column(funnel, 'events'),
                  aggregationFunction: sum,
                },
              },
            ],
          },
        },
        // Stages in funnel order, whatever their counts.
        sortConfiguration: {
          categorySort: [
            {
              columnSort: {
                sortBy: column(funnel, 'step'),
                direction: 'ASC',
                aggregationFunction: { numericalAggregationFunction: { simpleNumericalAggregation: 'MIN' } },
              },
            },
          ],
        },
        dataLabelOptions: {
          visibility: 'VISIBLE',
          measureLabelVisibility: 'VISIBLE',
          categoryLabelVisibility: 'VISIBLE',
        },
      },
    },
  };
}

/** Products at or under the days of cover the alarm uses. */
function lowStockVisual(lowStockDaysOfCover: number): CfnDashboard.VisualProperty {
  return {
    tableVisual: {
      visualId: visuals.lowStock,
      title: title(`Low stock: ${lowStockDaysOfCover} days of cover or less`),
      chartConfiguration: {
        fieldWells: {
          tableUnaggregatedFieldWells: {
            values: [
              { fieldId: 'stock-product', column: column(stock, 'product') },
              { fieldId: 'stock-category', column: column(stock, 'category') },
              { fieldId: 'stock-available', column: column(stock, 'available') },
              { fieldId: 'stock-reserved', column: column(stock, 'reserved') },
              { fieldId: 'stock-daily-units', column: column(stock, 'avg_daily_units') },
              { fieldId: 'stock-days-of-cover', column: column(stock, 'days_of_cover') },
            ],
          },
        },
        sortConfiguration: { rowSort: [{ fieldSort: { fieldId: 'stock-days-of-cover', direction: 'ASC' } }] },
      },
    },
  };
}

function inputColumns(columns: Record<string, QuickSightColumnType>): CfnDataSet.InputColumnProperty[] {
  return Object.entries(columns).map(([name, type]) => ({ name, type }));
}
