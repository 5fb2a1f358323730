"""The demo city's departments and services, modelled on a real comprehensive service centre."""

from __future__ import annotations

# (department code, name, English name, ticket prefix, [(service code, name, English, pinyin
#  initials, expected handling minutes)])
DEPARTMENTS: list[tuple[str, str, str, str, list[tuple[str, str, str, str, int]]]] = [
    (
        "gjj",
        "住房公积金管理中心",
        "Housing Provident Fund",
        "A",
        [
            ("gjj-withdraw", "公积金提取", "Provident fund withdrawal", "gjjtq", 8),
            ("gjj-loan", "公积金贷款", "Provident fund loan", "gjjdk", 20),
            ("gjj-deposit", "公积金缴存登记", "Provident fund registration", "gjjjcdj", 10),
            ("gjj-transfer", "公积金转移接续", "Provident fund transfer", "gjjzyjx", 12),
            ("gjj-print", "公积金查询打印", "Provident fund statement", "gjjcxdy", 4),
        ],
    ),
    (
        "scjg",
        "市场监督管理局",
        "Market Regulation",
        "B",
        [
            ("biz-setup", "企业设立登记", "Company registration", "qysldj", 20),
            ("biz-change", "企业变更登记", "Company change", "qybgdj", 15),
            ("biz-close", "企业注销登记", "Company deregistration", "qyzxdj", 15),
            ("biz-individual", "个体工商户登记", "Sole trader registration", "gtgshdj", 12),
            ("food-licence", "食品经营许可", "Food business licence", "spjyxk", 18),
        ],
    ),
    (
        "rsj",
        "人力资源和社会保障局",
        "Human Resources and Social Security",
        "C",
        [
            ("ss-card", "社会保障卡办理", "Social security card", "shbzkbl", 6),
            ("pension-reg", "养老保险参保登记", "Pension insurance registration", "ylbxcbdj", 10),
            ("unemployment", "失业保险金申领", "Unemployment benefit", "sybxjsl", 12),
            ("employment-reg", "就业登记", "Employment registration", "jydj", 8),
            ("qualification", "职业资格证书", "Vocational qualification", "zyzgzs", 10),
        ],
    ),
    (
        "ybj",
        "医疗保障局",
        "Healthcare Security",
        "D",
        [
            ("med-reg", "医保参保登记", "Medical insurance registration", "ybcbdj", 8),
            ("med-remote", "异地就医备案", "Out-of-town medical care filing", "ydjyba", 6),
            ("med-refund", "医疗费用报销", "Medical expense reimbursement", "fybx", 15),
            ("maternity", "生育保险待遇", "Maternity benefit", "sybxdy", 12),
        ],
    ),
    (
        "gaj",
        "公安局",
        "Public Security",
        "E",
        [
            ("hukou-move", "户籍迁移", "Household registration transfer", "hjqy", 12),
            ("residence", "居住证办理", "Residence permit", "jzzbl", 8),
            ("id-card", "居民身份证办理", "Resident ID card", "jmsfzbl", 6),
            ("exit-entry", "出入境证件", "Exit and entry documents", "crjzj", 10),
        ],
    ),
    (
        "bdc",
        "不动产登记中心",
        "Real Estate Registration",
        "F",
        [
            ("re-first", "不动产首次登记", "First registration of real estate", "bdcscdj", 20),
            ("re-transfer", "不动产转移登记", "Real estate transfer", "bdczydj", 25),
            ("re-mortgage", "不动产抵押登记", "Mortgage registration", "bdcdydj", 15),
            ("re-query", "不动产登记资料查询", "Real estate records query", "bdcdjzlcx", 5),
        ],
    ),
    (
        "swj",
        "税务局",
        "Taxation",
        "G",
        [
            ("invoice", "发票领用", "Invoice issuance", "fply", 6),
            ("tax-return", "纳税申报", "Tax filing", "nssb", 10),
            ("iit", "个人所得税汇算", "Individual income tax settlement", "grsdshs", 12),
            ("tax-reg", "税务登记", "Tax registration", "swdj", 10),
        ],
    ),
    (
        "mzj",
        "民政局",
        "Civil Affairs",
        "H",
        [
            ("marriage", "婚姻登记", "Marriage registration", "hydj", 20),
            ("subsistence", "最低生活保障申请", "Subsistence allowance", "zdshbzsq", 15),
            ("elderly-subsidy", "养老服务补贴", "Elderly care subsidy", "ylfwbt", 10),
        ],
    ),
    (
        "jtj",
        "交通运输局",
        "Transport",
        "J",
        [
            ("road-permit", "道路运输证", "Road transport permit", "dlysz", 12),
            ("ride-hailing", "网约车驾驶员证", "Ride-hailing driver permit", "wycjsyz", 10),
            ("taxi", "出租汽车经营许可", "Taxi operating licence", "czqcjyxk", 15),
        ],
    ),
    (
        "wjw",
        "卫生健康委员会",
        "Health Commission",
        "K",
        [
            ("birth-cert", "出生医学证明", "Birth medical certificate", "csyxzm", 8),
            ("doctor-reg", "医师执业注册", "Physician registration", "yszyzc", 12),
            ("clinic-licence", "医疗机构执业许可", "Clinic licence", "yljgzyxk", 20),
        ],
    ),
]

# (number, name, English name, kind, department codes served in order of preference)
CITY_WINDOWS: list[tuple[int, str, str, str, list[str]]] = [
    (1, "综合窗口1", "Comprehensive 1", "comprehensive", ["gjj", "rsj", "ybj"]),
    (2, "综合窗口2", "Comprehensive 2", "comprehensive", ["gjj", "rsj", "ybj"]),
    (3, "综合窗口3", "Comprehensive 3", "comprehensive", ["scjg", "swj"]),
    (4, "综合窗口4", "Comprehensive 4", "comprehensive", ["scjg", "swj"]),
    (5, "综合窗口5", "Comprehensive 5", "comprehensive", ["mzj", "wjw", "jtj"]),
    (6, "综合窗口6", "Comprehensive 6", "comprehensive", ["rsj", "ybj", "mzj"]),
    (7, "综合窗口7", "Comprehensive 7", "comprehensive", ["gjj", "scjg", "rsj", "ybj", "swj"]),
    (8, "综合窗口8", "Comprehensive 8", "comprehensive", ["wjw", "jtj", "mzj"]),
    (9, "公安窗口", "Public Security", "dedicated", ["gaj"]),
    (10, "公安窗口", "Public Security", "dedicated", ["gaj"]),
    (11, "不动产窗口", "Real Estate", "dedicated", ["bdc"]),
    (12, "不动产窗口", "Real Estate", "dedicated", ["bdc"]),
    (13, "税务窗口", "Taxation", "dedicated", ["swj"]),
    (14, "公积金窗口", "Provident Fund", "dedicated", ["gjj"]),
    (15, "出件窗口", "Document collection", "dedicated", ["scjg", "bdc"]),
    (16, "咨询窗口", "Enquiries", "dedicated", ["rsj", "ybj", "mzj"]),
]

TOWNSHIP_DEPARTMENTS = ["rsj", "ybj", "mzj"]
TOWNSHIP_WINDOWS: list[tuple[int, str, str, str, list[str]]] = [
    (1, "综合窗口1", "Comprehensive 1", "comprehensive", ["rsj", "ybj", "mzj"]),
    (2, "综合窗口2", "Comprehensive 2", "comprehensive", ["rsj", "ybj", "mzj"]),
    (3, "社保窗口", "Social security", "dedicated", ["rsj"]),
]

NOTICE_LINES = [
    "请保管好您的号票，过号请到咨询台重新排队",
    "办事指南请扫描大厅二维码或访问“掌上通办”",
]
