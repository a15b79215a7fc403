//! The eight taboos (八大禁忌) of manual 001 as phrase patterns.
//!
//! Each list quotes the manual's own examples first and adds the usual
//! spoken variants; the context (clause end, negations, neighbouring
//! characters) is what keeps "应该", "欠款", "撞色款" or "你能收到吗"
//! innocent. EC-T3 (leaving after "请稍等") is about silence, so it lives in
//! `flow::hold`, not here; the phone-number side of EC-T4/EC-T6 is in
//! `wording`, which needs the contact.

use crate::matcher::Pattern;

/// A rule checked on words alone.
#[derive(Debug, Clone)]
pub struct WordRule {
    /// The rule id (`EC-T1` …).
    pub id: &'static str,
    /// What is wrong, for the agent.
    pub reason: &'static str,
    /// What to say instead.
    pub suggestion: &'static str,
    /// Any of these breaks the rule.
    pub patterns: Vec<Pattern>,
}

/// Negations that turn a forbidden act into a refusal of it ("不要私下转账").
const REFUSALS: &[&str] = &[
    "不要",
    "不会",
    "不能",
    "不可以",
    "请勿",
    "切勿",
    "禁止",
    "不支持",
    "别",
    "无法",
    "谨防",
    "不加",
    "只通过",
    "保密",
    "不便",
];

/// The word-based taboos, in the manual's order.
pub fn word_rules() -> Vec<WordRule> {
    vec![insults(), blocking(), private_data(), arguing(), leaking(), platform_rules(), disparaging()]
}

/// 1、不能辱骂买家:死、坟、欠、该、撞 — only as insults.
fn insults() -> WordRule {
    WordRule {
        id: "EC-T1",
        reason: "辱骂买家(八大禁忌第1条):死、坟、欠、该、撞等字眼不得用于辱骂",
        suggestion: "非常抱歉给您带来不便,我马上为您处理",
        patterns: vec![
            // 该
            Pattern::any(&["你活该", "活该", "该死", "你该的", "该你倒霉", "自找的"]),
            // 欠
            Pattern::any(&["欠骂", "欠揍", "欠抽", "欠扁", "欠收拾", "欠教训", "嘴欠", "手欠", "欠你的", "犯贱"]),
            // 死
            Pattern::any(&["去死", "找死", "作死", "死开", "死鬼", "笨死", "蠢死"]).not_before(&["皮"]),
            Pattern::any(&["你死", "死吧"]).not_before(&["机", "角"]),
            // 撞
            Pattern::any(&["被门撞", "被车撞", "撞鬼", "撞墙", "撞坏脑子", "撞死", "脑子被撞"]),
            // 坟
            Pattern::any(&["祖坟", "坟头", "进坟", "坟地"]),
            Pattern::any(&["欠我们钱吗", "欠你们钱吗", "欠我钱吗", "欠你钱吗", "欠你的吗"]),
            Pattern::any(&["给你脸", "给脸不要脸", "蹬鼻子上脸"]),
            // Plain abuse the manual implies.
            Pattern::any(&[
                "你有病",
                "有病吧",
                "有病啊",
                "脑子有病",
                "神经病",
                "脑残",
                "白痴",
                "智障",
                "傻子",
                "傻逼",
                "你傻",
                "蠢货",
                "废物",
                "不要脸",
                "他妈的",
                "你妈",
            ]),
            Pattern::any(&["滚蛋", "滚开", "滚吧", "给我滚", "滚出去"]),
            Pattern::any(&["你滚"]).not_before(&["筒", "动", "轮"]),
        ],
    }
}

/// 2、不能拉黑买家 — said to the buyer; the act itself is the `buyer_blocked` event.
fn blocking() -> WordRule {
    WordRule {
        id: "EC-T2",
        reason: "拉黑或威胁拉黑买家(八大禁忌第2条)",
        suggestion: "如有问题请随时联系我们,我们会一直为您服务",
        patterns: vec![
            Pattern::any(&[
                "拉黑你",
                "拉黑您",
                "把你拉黑",
                "把您拉黑",
                "你拉黑",
                "屏蔽你",
                "屏蔽您",
                "把你屏蔽",
                "把您屏蔽",
                "你加入黑名单",
                "您加入黑名单",
                "你拉进黑名单",
                "你已被拉黑",
                "封你号",
                "封了你",
            ])
            .unless(&["不会", "不能", "不可能", "没有"]),
        ],
    }
}

/// 4、不得向客户提供/说明私人信息:电话、性别、学校、年龄、身体情况、公司地址等.
fn private_data() -> WordRule {
    WordRule {
        id: "EC-T4",
        reason: "向客户透露私人信息(八大禁忌第4条):电话、性别、学校、年龄、身体情况、地址等",
        suggestion: "亲,这边是店铺客服,有任何问题都可以在这里留言,我会及时为您处理",
        patterns: vec![
            // phone and other private accounts
            Pattern::any(&[
                "我的电话",
                "我电话",
                "我的手机号",
                "我手机号",
                "我的手机",
                "我手机",
                "我的号码",
                "我的私人号",
                "我的微信",
                "我微信",
                "我的qq",
                "我qq",
            ])
            .gap(2)
            .then(&["是", "#", "发你", "发给你", "给你", "多少"]),
            Pattern::any(&["打我电话", "打我手机", "打我私人", "我私人电话", "我私人号码"]),
            // age
            Pattern::any(&["我今年", "我已经", "我才", "我都", "我也"]).gap(1).then(&["#岁"]),
            Pattern::any(&["我#岁", "我是#后", "我属"]),
            // school
            Pattern::any(&["我是", "我在", "我毕业于", "我读", "我念", "我上"])
                .gap(6)
                .then(&["大学", "学院", "中学", "高中", "学校"]),
            Pattern::any(&["我们学校", "我的学校", "我学校", "我母校", "我的母校"]),
            // address
            Pattern::any(&["我家", "我"]).gap(2).then(&["住在", "住"]).not_before(&["院", "宿", "手"]),
            Pattern::any(&[
                "我家在",
                "我老家",
                "我家地址",
                "我的地址",
                "我住的",
                "公司地址是",
                "我们公司在",
                "我们公司地址",
                "我们办公室在",
            ]),
            // gender
            Pattern::any(&[
                "我是男的",
                "我是女的",
                "我是男生",
                "我是女生",
                "我是男孩",
                "我是女孩",
                "我是小哥哥",
                "我是小姐姐",
            ]),
            // health
            Pattern::any(&[
                "我生病",
                "我病了",
                "我身体不",
                "我怀孕",
                "我感冒",
                "我发烧",
                "我住院",
                "我最近生病",
                "我最近身体",
            ]),
        ],
    }
}

/// 5、不能与买家发生争执:你厉害,你能,你对,我不行,这你都知道、你去找别人吧,呵呵了、醉了.
fn arguing() -> WordRule {
    WordRule {
        id: "EC-T5",
        reason: "与买家争执(八大禁忌第5条):反讽、推诿、赌气的话",
        suggestion: "非常理解您的心情,我们一起看看怎么解决",
        patterns: vec![
            Pattern::any(&["你厉害", "您厉害", "你最厉害"]),
            // 你能 / 你对 / 我不行 argue at the end of a clause or with a taunt after.
            Pattern::any(&["你能", "您能", "你都对", "你对", "您对", "我不行", "你牛", "你真行"]).at_clause_end(),
            Pattern::any(&["你能", "您能", "你对", "你都对", "你说得对", "你说的对", "我不行"]).then(&[
                "你来",
                "你上",
                "你行",
                "行了吧",
                "好了吧",
                "可以了吧",
            ]),
            Pattern::any(&["就你能", "就你行", "你行你上", "你行你来", "都是你对", "你能耐"]).not_before(&["心"]),
            Pattern::any(&["这你都知道", "这你也知道", "这你都不知道", "这都不知道", "这都不懂", "这都不会"]),
            // 你去找别人吧 (buck-passing)
            Pattern::any(&[
                "你去找别人",
                "您去找别人",
                "你找别人",
                "找别人去",
                "你找别家",
                "你去别家",
                "爱找谁找谁",
                "爱买不买",
                "不买拉倒",
                "不买就算了",
            ])
            .not_before(&["代收", "代签", "帮忙", "帮你", "帮您"]),
            Pattern::any(&["去投诉吧", "你去投诉", "随便投诉", "投诉去吧", "你投诉吧", "投诉我也没用", "随便你"]),
            Pattern::any(&["呵呵"]).not_after(&["乐", "笑"]),
            Pattern::any(&["醉了"]).not_after(&["陶", "沉", "喝", "麻", "心"]),
            Pattern::any(&[
                "无语",
                "我服了",
                "服了你",
                "懒得跟你",
                "别催了",
                "别催我",
                "催什么催",
                "别再催",
                "你就给吧",
                "爱给不给",
                "差评就差评",
            ]),
            Pattern::any(&["无所谓", "你想怎么样", "你想咋样", "你要怎样", "你想怎样"]).at_clause_end(),
        ],
    }
}

/// 6、不能任何方式泄露客户信息:只能拍过的账号联系.
fn leaking() -> WordRule {
    WordRule {
        id: "EC-T6",
        reason: "泄露客户信息或在下单账号之外联系客户(八大禁忌第6条)",
        suggestion: "客户信息严格保密,我们只通过您下单的账号与您联系",
        patterns: vec![
            Pattern::any(&[
                "别的买家",
                "其他买家",
                "另一个买家",
                "上一个买家",
                "上一位买家",
                "别的客户",
                "其他客户",
                "上一个客户",
                "上一位客户",
                "别的顾客",
                "其他顾客",
                "别人的",
                "上一单",
            ])
            .gap(6)
            .then(&["电话", "手机", "地址", "姓名", "名字", "订单", "信息", "资料", "微信"])
            .unless(REFUSALS),
            Pattern::any(&[
                "加我微信",
                "加个微信",
                "加微信",
                "加我qq",
                "加qq",
                "私下联系",
                "微信联系",
                "qq联系",
                "私聊",
                "换个号联系",
                "用别的账号",
                "小号联系",
            ])
            .unless(REFUSALS),
        ],
    }
}

/// 7、不能触碰平台规则:发票、信用卡、支付方式、发货时间.
fn platform_rules() -> WordRule {
    WordRule {
        id: "EC-T7",
        reason: "触碰平台规则(八大禁忌第7条):发票、信用卡、支付方式、发货时间须按平台规则",
        suggestion: "发票、支付方式和发货时效以平台规则为准,预计送达时间请以物流信息为准",
        patterns: vec![
            // invoices
            Pattern::any(&[
                "不开发票",
                "不能开发票",
                "开不了发票",
                "不提供发票",
                "发票另外",
                "发票要加",
                "开发票要加",
                "开发票加",
                "开票要加",
                "开票加",
                "税点",
                "加税",
                "发票要另",
            ])
            .unless(&["平台规则", "平台规定"]),
            Pattern::any(&["发票", "开票"]).gap(8).then(&[
                "另外收",
                "另收",
                "加收",
                "要加",
                "加钱",
                "的税",
                "税点",
                "手续费",
            ]),
            // credit cards
            Pattern::any(&[
                "信用卡要加",
                "信用卡加收",
                "信用卡手续费",
                "信用卡要手续费",
                "不能用信用卡",
                "不支持信用卡",
                "信用卡不行",
                "别用信用卡",
                "信用卡付不了",
            ])
            .unless(&["平台规则", "平台规定", "根据平台"]),
            // payment off the platform
            Pattern::any(&[
                "转账",
                "私下付",
                "私下交易",
                "线下付",
                "线下交易",
                "付给我",
                "打款给",
                "扫我的",
                "不用走平台",
                "不走平台",
                "绕过平台",
                "拍下不付",
            ])
            .unless(REFUSALS),
            // delivery-time promises
            Pattern::any(&["肯定", "一定", "保证", "绝对", "百分百", "百分之百", "包你", "包您"])
                .gap(3)
                .then(&["今天", "明天", "后天", "当天", "次日", "#天", "#小时", "#号", "周#", "马上"])
                .gap(3)
                .then(&["到", "送达", "发货", "发出", "寄出", "签收", "收到"]),
            Pattern::any(&["今天", "明天", "后天", "当天", "次日", "#天", "#小时", "#号", "周#"])
                .gap(3)
                .then(&["肯定", "一定", "保证", "绝对", "百分百", "准"])
                .gap(2)
                .then(&["到", "送达", "发货", "发出", "寄出", "签收", "收到"]),
        ],
    }
}

/// 8、不能诋毁抹黑品牌方:仓库就那样、反馈好几次了不处理、随意承诺、称呼产品不行、他家处理问题慢,他们骂我们.
fn disparaging() -> WordRule {
    WordRule {
        id: "EC-T8",
        reason: "诋毁品牌方或随意承诺(八大禁忌第8条)",
        suggestion: "这个问题我已经登记并反馈给相关部门,处理结果出来后第一时间通知您",
        patterns: vec![
            Pattern::any(&[
                "仓库就那样",
                "仓库那边就那样",
                "仓库就这样",
                "公司就这样",
                "质量就那样",
                "反馈好几次",
                "反馈了好几次",
                "反馈过好几次",
                "反馈多少次",
                "反馈也没用",
                "说了也没用",
            ]),
            Pattern::any(&["他家", "他们家", "他们", "厂家", "品牌方", "仓库", "那边"]).gap(3).then(&[
                "处理问题慢",
                "处理慢",
                "处理很慢",
                "太慢",
                "慢得很",
                "不管",
                "不处理",
                "不负责",
                "不靠谱",
            ]),
            Pattern::any(&["他们", "老板", "领导", "品牌方", "厂家", "上面"]).gap(1).then(&["骂我们", "骂我", "骂人"]),
            Pattern::any(&["产品不行", "东西不行", "牌子不行", "质量不行", "这货不行", "产品很差", "质量很差"])
                .unless(&["如果", "要是", "若", "万一", "假如", "是否", "有没有"]),
            // random promises
            Pattern::any(&[
                "我保证",
                "我向您保证",
                "我跟您保证",
                "我跟你保证",
                "包您满意",
                "包你满意",
                "绝对没问题",
                "百分之百没问题",
                "百分百没问题",
                "肯定没问题",
                "私人补偿",
                "我个人补",
                "随便退",
                "想怎么赔",
            ])
            .not_before(&["不了"]),
        ],
    }
}
