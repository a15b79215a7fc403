//! What the plugin declares: its rules, scenes, event types and parameters.
//!
//! Every number of the manuals is a parameter here, described for the
//! administrator who sets it in `rules/departments/*.toml`.

use sopline_sdk::params::{duration, flag, integer, text};
use sopline_sdk::{Manifest, ParamSpec, RuleInfo, WIT_VERSION};

/// Rule ids and what each one means.
pub const RULES: &[(&str, &str)] = &[
    ("EC-T1", "八大禁忌1:不能辱骂买家(死、坟、欠、该、撞等字眼用作辱骂)"),
    ("EC-T2", "八大禁忌2:不能拉黑买家(说出口的威胁,或 buyer_blocked 事件)"),
    ("EC-T3", "八大禁忌3:告知买家“请稍等”后必须在时限内回复,不能无故终止"),
    ("EC-T4", "八大禁忌4:不得向买家透露私人信息(电话、年龄、学校、住址、性别、身体情况)"),
    ("EC-T5", "八大禁忌5:不能与买家争执(你厉害、你能、你对、我不行、这你都知道、你去找别人吧、呵呵了、醉了)"),
    ("EC-T6", "八大禁忌6:不能泄露客户信息,只能通过下单账号联系买家"),
    ("EC-T7", "八大禁忌7:不能触碰平台规则(发票、信用卡、支付方式、发货时间承诺)"),
    ("EC-T8", "八大禁忌8:不能诋毁品牌方或随意承诺(仓库就那样、他家处理问题慢、他们骂我们……)"),
    ("EC-R1", "在线咨询首次响应不超过30秒"),
    ("EC-R2", "售前有问必答:买家的每个问题都要在时限内回复"),
    ("EC-V1", "不用模糊表述:时间要说确定的(“大概3天到”→“预计3个工作日送达”)"),
    ("EC-A1", "售后先确认订单状态、做好问题分类,再结案(订单号、订单状态、问题类型必填)"),
    ("EC-A2", "涉及金额一定核实清楚、计算准确:不说约数,退款不超过实付"),
    ("EC-C1", "一般投诉由一线客服在1小时内处理"),
    ("EC-C2", "重大投诉升级专项小组,24小时内给出解决方案"),
    ("EC-F1", "问题解决后24小时内完成满意度回访;回访不满意上报主管"),
    ("EC-F2", "回访满意的奖励"),
    ("EC-P1", "未付款订单及时催付"),
];

/// The scenes `script()` answers.
pub const SCENES: &[&str] = &[
    "greeting",
    "pre-sales",
    "urge-payment",
    "after-sales",
    "confirm-order",
    "verify-amount",
    "classify-problem",
    "calm-buyer",
    "apology",
    "complaint-solution",
    "special-team",
    "hold",
    "hold-return",
    "delivery-time",
    "invoice",
    "satisfaction-callback",
    "callback-unsatisfied",
    "closing",
];

/// Event types beyond the common vocabulary.
pub const EVENT_TYPES: &[&str] = &["buyer_blocked", "order_unpaid", "order_paid"];

/// Contact categories of an online shop.
pub const CATEGORIES: &[&str] = &["pre_sales", "after_sales", "complaint", "consultation", "feedback"];

/// The manifest.
pub fn manifest() -> Manifest {
    Manifest {
        id: "ecommerce".into(),
        name: "电商客服 SOP".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        industry: "e-commerce".into(),
        wit_version: WIT_VERSION.into(),
        description: "网店客服:八大禁忌、30秒首响、请稍等必回、售前有问必答与催付、售后核实订单与金额、投诉分级处理、24小时满意度回访".into(),
        categories: CATEGORIES.iter().map(|c| c.to_string()).collect(),
        event_types: EVENT_TYPES.iter().map(|e| e.to_string()).collect(),
        scenes: SCENES.iter().map(|s| s.to_string()).collect(),
        rules: RULES.iter().map(|(id, description)| RuleInfo { id: id.to_string(), description: description.to_string() }).collect(),
        params: params(),
    }
}

fn params() -> Vec<ParamSpec> {
    vec![
        text("shop_name", "本店", "店铺名称,填入话术中的“{店铺名称}”"),
        text("delivery_estimate", "3个工作日", "话术“发货时效”中告诉买家的预计送达时间,如“3个工作日”"),
        // Response times
        duration(
            "first_response_within",
            "30s",
            "在线咨询(chat)首次响应时限:从会话打开起,客服第一条消息须在此时间内发出(EC-R1)",
        ),
        flag("first_response_from_customer_message", false, "开启后首响时限从买家第一条消息起算,而不是从会话打开起算"),
        integer("first_response_points", 2, "首次响应超时扣分(EC-R1)"),
        duration("hold_reply_within", "2m", "客服说“请稍等”后须在此时间内再回复买家(EC-T3)"),
        duration("answer_question_within", "3m", "在线咨询中买家提问后,客服须在此时间内回复(有问必答,EC-R2)"),
        integer("answer_question_points", 1, "买家提问未在时限内回复扣分(EC-R2)"),
        // Complaints
        duration("complaint_front_line_within", "1h", "一般投诉由一线客服处理完毕的时限(EC-C1)"),
        integer("complaint_front_line_points", 3, "一般投诉超时未处理扣分,记在接待客服名下(EC-C1)"),
        duration("special_team_within", "24h", "重大投诉升级专项小组后给出解决方案的时限(EC-C2)"),
        text("special_team", "complaint-special-team", "重大投诉升级到的专项小组(团队或部门名)"),
        text("supervisor", "supervisor", "一线投诉超时、回访不满意时上报的主管(角色名)"),
        text("manager", "service-manager", "专项小组超时未给方案时上报的客服经理(角色名)"),
        flag(
            "complaint_business_time",
            false,
            "开启后投诉时限按部门日历的工作时间计算;关闭时按自然时间(网店通常全天候服务)",
        ),
        // Follow-up
        duration("satisfaction_callback_within", "24h", "问题解决后完成满意度回访的时限(EC-F1)"),
        integer("satisfaction_callback_points", 2, "满意度回访超时扣分(EC-F1)"),
        integer("satisfied_reward_points", 1, "回访结果为满意时给接待客服的奖励分(EC-F2,0 为不奖励)"),
        duration("urge_unpaid_within", "30m", "买家拍下未付款后完成催付的时限(EC-P1)"),
        integer("urge_unpaid_points", 1, "未在时限内催付扣分(EC-P1)"),
        text(
            "after_sales_required_fields",
            "order_id,order_status,problem_type",
            "售后结案(resolved)前必须填写的字段,逗号分隔(EC-A1;留空为不要求)",
        ),
        // Utterance penalties
        integer("insult_points", 10, "辱骂买家扣分(EC-T1)"),
        integer("block_points", 10, "拉黑或威胁拉黑买家扣分(EC-T2)"),
        integer("hold_points", 3, "说“请稍等”后未在时限内回复扣分(EC-T3)"),
        integer("private_data_points", 5, "透露个人私人信息扣分(EC-T4)"),
        integer("arguing_points", 5, "与买家争执扣分(EC-T5)"),
        integer("leak_points", 10, "泄露客户信息或私下联系买家扣分(EC-T6)"),
        integer("platform_rule_points", 5, "触碰平台规则扣分(EC-T7)"),
        integer("disparage_points", 5, "诋毁品牌方或随意承诺扣分(EC-T8)"),
        integer("vague_points", 1, "模糊表述扣分(EC-V1)"),
        integer("inexact_amount_points", 2, "金额说约数或退款超过实付扣分(EC-A2)"),
    ]
}
